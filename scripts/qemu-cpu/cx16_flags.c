// SPDX-License-Identifier: GPL-2.0
/*
 * Does this x86 CPU, or the emulator running it, compute EFLAGS right
 * after CMPXCHG16B?  Run natively it must say 0 wrong; run under QEMU's
 * TCG (qemu-x86_64, the same translator as qemu-system-x86_64) it tells
 * whether guests may be given CX16 (scripts/lib.sh, qemu_cpu_args).
 *
 * The sequence is the one of SLUB's allocation fast path after an
 * interrupt returns into it: flags loaded whole (IRET there, POPF here),
 * an ADD, then CMPXCHG16B.  QEMU 7.2 computes the flags of CMPXCHG16B
 * from the flag state as it was before the ADD and so returns the ADD's
 * source operand as EFLAGS (TF, NT, IOPL and reserved bits included).
 *
 * Prints "cx16-flags: N of 1000 wrong (last 0x...)"; exits 1 if any.
 */
#include <stdint.h>
#include <stdio.h>

static uint64_t mem[2] __attribute__((aligned(16)));

int main(void)
{
	const uint64_t src = 0x5a5a0000ULL;	/* no flag bit of its own */
	uint64_t flags = 0;
	unsigned int i, wrong = 0;

	for (i = 0; i < 1000; i++) {
		uint64_t rax = 0, rdx = 0, tmp = i;

		mem[0] = 0;
		mem[1] = 0;
		__asm__ volatile("pushq $0x202\n\t"
				 "popfq\n\t"
				 "addq %[src], %[tmp]\n\t"
				 "cmpxchg16b (%[m])\n\t"
				 "pushfq\n\t"
				 "popq %[fl]\n\t"
				 : "+a"(rax), "+d"(rdx), [fl] "=r"(flags),
				   [tmp] "+r"(tmp)
				 : "b"(1ULL), "c"(2ULL), [m] "r"(mem),
				   [src] "r"(src)
				 : "memory", "cc");
		/* Equal: ZF set, and nothing of the ADD's operand. */
		if ((flags & src) || !(flags & 0x40))
			wrong++;
	}
	printf("cx16-flags: %u of 1000 wrong (last 0x%llx)\n", wrong,
	       (unsigned long long)flags);
	return wrong != 0;
}
