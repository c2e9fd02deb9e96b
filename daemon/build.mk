# bpfnicd and the control-protocol framing it shares with bpfnicctl (lib/varlink.c).
VARLINK_LIBS := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)

$(eval $(call unit_test,test_varlink,tests/unit/test_varlink.c lib/varlink.c,$(VARLINK_LIBS) -lm))
