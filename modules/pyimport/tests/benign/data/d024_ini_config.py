import configparser
import os

parser = configparser.ConfigParser()
parser.read_string("""
[database]
host = localhost
port = 5432
name = analytics

[features]
enable_cache = yes
max_items = 250
""")
local = "/data/settings.ini"
if os.path.isfile(local):
    parser.read(local)

db = parser["database"]
print(f"postgres://{db['host']}:{db.getint('port')}/{db['name']}")
features = parser["features"]
print("cache:", features.getboolean("enable_cache"), "max:", features.getint("max_items"))
for section in parser.sections():
    print(section, dict(parser[section]))
