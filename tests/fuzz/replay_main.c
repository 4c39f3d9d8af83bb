/* SPDX-License-Identifier: MIT */
/*
 * Stand-alone driver for the fuzz harnesses in builds without libFuzzer
 * (gcc, the default and ASan presets): runs every seed of a corpus
 * directory, then a fixed number of deterministic random mutations of them
 * (bit flips, byte overwrites, insertions, deletions, truncations).
 *
 * Usage: <harness> <corpus-dir> [mutations] [seed]
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEDS 256
#define MAX_LEN	  (64 * 1024 + 64)

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS], n_seeds;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void load(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d) {
		perror(dir);
		exit(2);
	}
	while ((e = readdir(d)) && n_seeds < MAX_SEEDS) {
		FILE *f;
		long n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		if (n > 0 && n <= MAX_LEN) {
			seeds[n_seeds] = malloc((size_t)n);
			if (seeds[n_seeds] && fread(seeds[n_seeds], 1, (size_t)n, f) == (size_t)n)
				seed_len[n_seeds++] = (size_t)n;
			else
				free(seeds[n_seeds]);
		}
		fclose(f);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
	static uint8_t buf[MAX_LEN + 64];

	rng = argc > 3 ? strtoull(argv[3], NULL, 0) | 1 : 0x9e3779b97f4a7c15ull;
	if (argc < 2) {
		fprintf(stderr, "usage: %s corpus-dir [mutations] [seed]\n", argv[0]);
		return 2;
	}
	load(argv[1]);
	if (!n_seeds) {
		fprintf(stderr, "no seeds in %s\n", argv[1]);
		return 2;
	}
	for (size_t i = 0; i < n_seeds; i++)
		LLVMFuzzerTestOneInput(seeds[i], seed_len[i]);
	for (unsigned long it = 0; it < iters; it++) {
		size_t s = rnd() % n_seeds, len = seed_len[s];
		unsigned muts = 1 + (unsigned)(rnd() % 8);

		memcpy(buf, seeds[s], len);
		for (unsigned m = 0; m < muts && len; m++) {
			size_t at = rnd() % len;

			switch (rnd() % 6) {
			case 0:
				buf[at] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 1:
			case 2:
				buf[at] = (uint8_t)rnd();
				break;
			case 3: /* insert a byte */
				if (len < MAX_LEN) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = (uint8_t)rnd();
					len++;
				}
				break;
			case 4: /* delete a byte */
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default: /* truncate */
				len = at + 1;
				break;
			}
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	for (size_t i = 0; i < n_seeds; i++)
		free(seeds[i]);
	printf("%zu seeds, %lu mutated inputs: no finding\n", n_seeds, iters);
	return 0;
}
