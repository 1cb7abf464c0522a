# postcat - show queue files
$(eval $(call program,postcat,bin))
