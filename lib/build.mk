# lib/: the user-space modules that several programs share. One list per module: its
# files and those of the lib/ modules it calls, so that a program or test names the
# modules it uses, never their files (a file two modules bring is linked once: link
# rules take $^). Modules that need a system library say so in *_LIBS.
# lib/clock.h is header-only; lib/varlink and lib/protocol.h belong to the control
# protocol (daemon/, ctl/).
#
# A shared fragment (see the Makefile): it only defines lists and its own tests. The
# lists are recursive (=), so they may name lists of the other shared fragments in
# any order.
NUMPARSE_SRCS = lib/numparse.c
CPULIST_SRCS  = lib/cpulist.c $(NUMPARSE_SRCS)
ARRIVAL_SRCS  = lib/arrival.c
ARRIVAL_LIBS  = -lm
HIST_SRCS     = lib/hist.c
HIST_LIBS     = -lm
WIRE_SRCS     = lib/wire.c
ADDRLIST_SRCS = lib/addrlist.c
# The one table of policies and parameters, and what it takes to read text and JSON.
PARAMS_SRCS   = lib/params.c $(CPULIST_SRCS) $(ADDRLIST_SRCS)
INILINE_SRCS  = lib/iniline.c
INILINE_LIBS := $(shell pkg-config --libs inih 2>/dev/null || echo -linih)

# Their unit tests (the random inputs of test_hist and test_wire come from lib/arrival's
# generator).
$(eval $(call unit_test,test_numparse,tests/unit/test_numparse.c $(NUMPARSE_SRCS),))
$(eval $(call unit_test,test_cpulist,tests/unit/test_cpulist.c $(CPULIST_SRCS),))
$(eval $(call unit_test,test_addrlist,tests/unit/test_addrlist.c $(ADDRLIST_SRCS),))
$(eval $(call unit_test,test_arrival,tests/unit/test_arrival.c $(ARRIVAL_SRCS),$(ARRIVAL_LIBS)))
$(eval $(call unit_test,test_hist,tests/unit/test_hist.c $(HIST_SRCS) $(ARRIVAL_SRCS),$(HIST_LIBS) $(ARRIVAL_LIBS)))
$(eval $(call unit_test,test_wire,tests/unit/test_wire.c $(WIRE_SRCS) $(ARRIVAL_SRCS),$(ARRIVAL_LIBS)))
$(eval $(call unit_test,test_iniline,tests/unit/test_iniline.c $(INILINE_SRCS),$(INILINE_LIBS)))
