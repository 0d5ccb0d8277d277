import os.path as osp
import os.path
print(os.listdir("/"))
