# Unit tests of the shared pieces the lead owns (each also built under ASan/UBSan).
$(eval $(call unit_test,test_cpulist,tests/unit/test_cpulist.c lib/cpulist.c lib/numparse.c,))
$(eval $(call unit_test,test_numparse,tests/unit/test_numparse.c lib/numparse.c,))
