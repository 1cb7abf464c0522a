# postsuper - queue maintenance for root: delete, hold, release, requeue,
# structure check
$(eval $(call program,postsuper,bin))
