# harmless commentimport os
