𝐞𝐱𝐞𝐜("import os")
