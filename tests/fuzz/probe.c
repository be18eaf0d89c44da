// SPDX-License-Identifier: GPL-2.0-only
/* meson's check that clang links libFuzzer with ASan and UBSan (libclang-rt-NN-dev). */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return 0;
}
