# tests/robust - "make stress": the long forms of the robustness tests
# (STRESS=1: 2000 messages under kill -9, 1000 concurrent sessions, 500
# slow clients, ...) and their counts; make check runs the short forms.
stress: deps
	$(MAKE) all unit
	@set -o pipefail; STRESS=1 tests/run robust | tee $(BUILD)/stress.log; rc=$$?; \
	  echo "== stress counts"; grep -E '^# ' $(BUILD)/stress.log; exit $$rc

.PHONY: stress
