/* SPDX-License-Identifier: MIT */
/* Conformance cases: port IO (single and string) and HLT. */
#include "conf.h"
#include "guests.h"

/* The same port-IO sequence in every mode (guests/pio_body.inc). */
static const struct step pio_script[] = {
	IO_OUT(0x10, 1, 0x11),
	IO_OUT(0x12, 2, 0x2233),
	IO_OUT(0x14, 4, 0x44556677),
	IO_IN(0x20, 1, 0xa1),
	IO_IN(0x22, 2, 0xb2c3),
	IO_IN(0x24, 4, 0xd4e5f607),
	IO_OUT(0x30, 1, 0xa1),
	IO_OUT(0x31, 2, 0xb2c3),
	IO_OUT(0x32, 4, 0xd4e5f607),
	IO_OUT(0x3f8, 1, 'A'),
	X_HLT,
	END,
};

/* REP OUTSB x4, REP OUTSW x2, OUTSD: one access per element, in order. */
static const struct step strio_out_script[] = {
	IO_OUT(0x40, 1, 'A'),
	IO_OUT(0x40, 1, 'B'),
	IO_OUT(0x40, 1, 'C'),
	IO_OUT(0x40, 1, 'D'),
	IO_OUT(0x42, 2, 0x1234),
	IO_OUT(0x42, 2, 0x5678),
	IO_OUT(0x44, 4, 0xcafef00d),
	X_HLT,
	END,
};

/* REP INSB x4, REP INSW x3 into RAM, then the RAM contents go out. */
static const struct step strio_in_script[] = {
	IO_IN(0x41, 1, 0x01),
	IO_IN(0x41, 1, 0x02),
	IO_IN(0x41, 1, 0x03),
	IO_IN(0x41, 1, 0x04),
	IO_IN(0x43, 2, 0x1111),
	IO_IN(0x43, 2, 0x2222),
	IO_IN(0x43, 2, 0x3333),
	IO_OUT(0x50, 4, 0x04030201),
	IO_OUT(0x50, 4, 0x22221111),
	IO_OUT(0x52, 2, 0x3333),
	X_HLT,
	END,
};

static int strio_in_check(struct conf_ctx *c)
{
	static const uint8_t want[10] = { 1, 2, 3, 4, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33 };
	unsigned i;

	for (i = 0; i < sizeof(want); i++)
		if (c->ram[0x10000 + i] != want[i])
			return conf_fail(c, "RAM byte 0x%x is 0x%x, want 0x%x", 0x10000 + i,
					 c->ram[0x10000 + i], want[i]);
	return CONF_PASS;
}

/* After HLT, RIP is past the HLT and the guest goes on when run again. */
static int hlt_rip(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vcpu_get_state(v, LV_STATE_GPRS, &c->st);

	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	if (c->st.regs.rip != CONF_CODE + 1)
		return conf_fail(c, "RIP after HLT is 0x%llx, want 0x%x",
				 (unsigned long long)c->st.regs.rip, CONF_CODE + 1);
	return CONF_PASS;
}

static const struct step hlt_script[] = {
	X_HLT, ACTION(hlt_rip), IO_OUT(0x70, 1, 0x99), X_HLT, END,
};

const struct conf_case conf_cases_io[] = {
	{ .name = "pio_real",
	  .mode = MODE_REAL,
	  .guest = &conf_guest_pio_real,
	  .script = pio_script },
	{ .name = "pio_prot32",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_pio_32,
	  .script = pio_script },
	{ .name = "pio_long64",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_pio_64,
	  .script = pio_script },
	{ .name = "string_pio_out",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_strio_out,
	  .script = strio_out_script },
	{ .name = "string_pio_in",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_strio_in,
	  .script = strio_in_script,
	  .check = strio_in_check },
	{ .name = "hlt", .mode = MODE_REAL, .guest = &conf_guest_hlt, .script = hlt_script },
	{ .name = NULL },
};
