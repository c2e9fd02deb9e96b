/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The data path's frames (bpf/bpfnic.bpf.c, through BPF_PROG_TEST_RUN): the input is
 * one frame as a NIC would hand it to XDP. Properties: those of the frame fuzzer
 * (tests/support/framefuzz.h): not a request leaves with XDP_PASS byte for byte,
 * a request is redirected and its reply valid, every frame counted once by its
 * RFC-based verdict. Needs CAP_BPF (root): the programs run in the kernel, so the
 * coverage libFuzzer sees is the verdict's and the checks', not the BPF code's.
 */
#include "fuzz.h"
#include "tests/support/framefuzz.h"

static struct framefuzz ff;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (framefuzz_open(&ff) < 0) {
		fprintf(stderr, "fuzz_frame: cannot open the data path (root, CAP_BPF?)\n");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[300];

	if (framefuzz_check(&ff, data, size, why, sizeof(why)) < 0) {
		fprintf(stderr, "frame of %zu bytes: %s\n", size, why);
		abort();
	}
	return 0;
}
