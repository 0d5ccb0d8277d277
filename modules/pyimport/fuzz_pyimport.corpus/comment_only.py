

   
# only comment