# postconf - print and edit main.cf and master.cf
$(eval $(call program,postconf,bin))
