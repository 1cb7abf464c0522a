# sendmail - the Sendmail-compatible submission command (runs postdrop)
$(eval $(call program,sendmail,bin))
