from gc import get_referrers
