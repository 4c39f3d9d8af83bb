/* SPDX-License-Identifier: MIT */
/*
 * The 8042 keyboard controller, as much of it as a stock Linux kernel uses
 * when nothing is plugged in (IBM PS/2 technical reference, "Keyboard/
 * Auxiliary Device Controller"): the status port 0x64 and the data port
 * 0x60; commands 0x20 / 0x60 (read / write the command byte), 0xaa (self
 * test: 0x55), 0xab / 0xa9 (interface tests: 0, "no error"), 0xa7 / 0xa8 /
 * 0xad / 0xae (disable / enable the ports, bits in the command byte), 0xd1
 * (write the output port), 0xd2 / 0xd3 (the next data byte comes back as
 * if from the keyboard / the mouse: Linux's loop test) and 0xf0-0xff
 * (pulse output lines). The controller raises no interrupts (IRQ 1, 12). A pulse of
 * line 0 (0xfe), or an output port with bit 0 clear, is the CPU reset that
 * Linux's reboot=k sends: i8042_write() reports it and vcpu-run ends the
 * run, as QEMU's -no-reboot does. Bytes for the keyboard or the mouse find
 * no device: no answer, the driver times out.
 */
#include "devices.h"

#define ST_OBF	    0x01 /* output buffer full: a byte to read at 0x60 */
#define ST_SYS	    0x04 /* system flag: POST passed */
#define ST_CMD	    0x08 /* the last write was to 0x64 */
#define ST_UNLOCKED 0x10 /* the keylock switch does not inhibit the keyboard */
#define CTR_SYS	    0x04
#define CTR_KBDDIS  0x10
#define CTR_AUXDIS  0x20

void i8042_init(struct i8042 *k)
{
	*k = (struct i8042){ .ctr = CTR_KBDDIS | CTR_AUXDIS | CTR_SYS };
}

static void reply(struct i8042 *k, uint8_t b)
{
	k->out = b;
	k->status |= ST_OBF;
}

uint8_t i8042_read(struct i8042 *k, uint16_t port)
{
	if (port == I8042_STATUS)
		return (uint8_t)(k->status | ST_SYS | ST_UNLOCKED);
	k->status &= (uint8_t)~ST_OBF;
	return k->out;
}

int i8042_write(struct i8042 *k, uint16_t port, uint8_t val)
{
	if (port == I8042_DATA) {
		k->status &= (uint8_t)~ST_CMD;
		if (k->pending == 0x60)
			k->ctr = val;
		else if (k->pending == 0xd1 && !(val & 1))
			return 1; /* output port bit 0: the CPU reset line */
		else if (k->pending == 0xd2 || k->pending == 0xd3)
			reply(k, val);
		k->pending = 0;
		return 0; /* to the keyboard: nothing answers */
	}
	k->status |= ST_CMD;
	k->pending = 0;
	switch (val) {
	case 0x20:
		reply(k, k->ctr);
		break;
	case 0x60:
	case 0xd1:
	case 0xd2:
	case 0xd3:
		k->pending = val;
		break;
	case 0xa7:
	case 0xa8:
		k->ctr = (uint8_t)(val == 0xa7 ? k->ctr | CTR_AUXDIS : k->ctr & ~CTR_AUXDIS);
		break;
	case 0xad:
	case 0xae:
		k->ctr = (uint8_t)(val == 0xad ? k->ctr | CTR_KBDDIS : k->ctr & ~CTR_KBDDIS);
		break;
	case 0xaa:
		reply(k, 0x55);
		break;
	case 0xa9:
	case 0xab:
		reply(k, 0x00);
		break;
	default:
		/* 0xf0-0xff pulse the output lines whose bits are clear: bit 0 is reset. */
		if (val >= 0xf0 && !(val & 1))
			return 1;
		break;
	}
	return 0;
}
