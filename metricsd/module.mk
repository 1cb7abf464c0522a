# metricsd - the OpenMetrics / Prometheus endpoint over the shared counters
$(eval $(call program,metricsd,libexec))
