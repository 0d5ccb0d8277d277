import os
