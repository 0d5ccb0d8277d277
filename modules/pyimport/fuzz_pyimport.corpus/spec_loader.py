__spec__.loader
