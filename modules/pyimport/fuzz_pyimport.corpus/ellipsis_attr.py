x = ....__class__
