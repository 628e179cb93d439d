/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared code of the hardware bench kit (HIP, for gfx942 / gfx950): error
 * checks, the clock, the xsched priority of a client process, and the
 * kernels.  Figures these programs print are measured on the GPU they
 * run on; the kit has not been run on hardware by this project.
 */
#ifndef XSCHED_BENCH_HW_H
#define XSCHED_BENCH_HW_H

#include <hip/hip_runtime.h>
#include <time.h>

#include "../common.h"

static const char *hw_prog = "hw";

#define HW_OK(call)							\
	do {								\
		hipError_t e_ = (call);					\
		if (e_ != hipSuccess) {					\
			fprintf(stderr, "%s: %s: %s\n", hw_prog, #call,	\
				hipGetErrorString(e_));			\
			exit(3);					\
		}							\
	} while (0)

static inline uint64_t hw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * In a client process, before its first HIP call: the xsched priority of
 * every queue it will create (libxsched-hsa reads XSCHED_PRIORITY when
 * ROCr loads it through HSA_TOOLS_LIB, which bench/hw/run.sh sets).
 * A negative @prio leaves the queues at xsched's default.
 */
static inline void hw_client_priority(int prio)
{
	char buf[16];

	if (prio < 0) {
		unsetenv("XSCHED_PRIORITY");
		return;
	}
	snprintf(buf, sizeof(buf), "%d", prio);
	setenv("XSCHED_PRIORITY", buf, 1);
}

#define HW_TILE 16

/* C = A x B, n x n, row-major floats: one 16x16 tile per block. */
__global__ void hw_sgemm(const float *a, const float *b, float *c, int n)
{
	__shared__ float ta[HW_TILE][HW_TILE], tb[HW_TILE][HW_TILE];
	int row = blockIdx.y * HW_TILE + threadIdx.y;
	int col = blockIdx.x * HW_TILE + threadIdx.x;
	float acc = 0.0f;

	for (int k0 = 0; k0 < n; k0 += HW_TILE) {
		ta[threadIdx.y][threadIdx.x] = row < n && k0 + threadIdx.x < n ?
			a[row * n + k0 + threadIdx.x] : 0.0f;
		tb[threadIdx.y][threadIdx.x] = col < n && k0 + threadIdx.y < n ?
			b[(k0 + threadIdx.y) * n + col] : 0.0f;
		__syncthreads();
		for (int k = 0; k < HW_TILE; k++)
			acc += ta[threadIdx.y][k] * tb[k][threadIdx.x];
		__syncthreads();
	}
	if (row < n && col < n)
		c[row * n + col] = acc;
}

/* Launches one n x n sgemm on @s. */
static inline void hw_sgemm_launch(const float *a, const float *b, float *c,
				   int n, hipStream_t s)
{
	dim3 block(HW_TILE, HW_TILE), grid((n + HW_TILE - 1) / HW_TILE,
					   (n + HW_TILE - 1) / HW_TILE);

	hipLaunchKernelGGL(hw_sgemm, grid, block, 0, s, a, b, c, n);
	HW_OK(hipGetLastError());
}

/* Three n x n matrices on the device, A and B filled. */
static inline void hw_matrices(int n, float **a, float **b, float **c)
{
	size_t bytes = (size_t)n * n * sizeof(float);

	HW_OK(hipMalloc((void **)a, bytes));
	HW_OK(hipMalloc((void **)b, bytes));
	HW_OK(hipMalloc((void **)c, bytes));
	HW_OK(hipMemset(*a, 0x3c, bytes));	/* about 0.0115 */
	HW_OK(hipMemset(*b, 0x3c, bytes));
	HW_OK(hipDeviceSynchronize());
}

/*
 * Spins until the device's constant-rate clock (wall_clock64) has
 * advanced @ticks; thread 0 of block 0 writes the start time to @start
 * (if not NULL).  One block per CU or more saturates the GPU.
 */
__global__ void hw_spin(unsigned long long ticks, unsigned long long *start)
{
	unsigned long long t0 = wall_clock64();

	if (start && !blockIdx.x && !threadIdx.x)
		*start = t0;
	while (wall_clock64() - t0 < ticks)
		;
}

/* wall_clock64 ticks per microsecond of the current device. */
static inline double hw_ticks_per_us(void)
{
	int dev, khz = 0;

	HW_OK(hipGetDevice(&dev));
	HW_OK(hipDeviceGetAttribute(&khz, hipDeviceAttributeWallClockRate, dev));
	return khz / 1000.0;
}

#endif /* XSCHED_BENCH_HW_H */
