/* SPDX-License-Identifier: MIT */
/*
 * 16550A UART model (National Semiconductor PC16550D data sheet, register
 * table): transmit through the caller's callback; receive through a 16-byte FIFO that
 * uart_receive() fills (the VMM's standard input, console.c) and loopback
 * mode fills too. The transmitter is always ready: LSR reports THRE | TEMT. Interrupts, as
 * QEMU's serial model raises them: "received data" while IER bit 0 is set
 * and RBR holds a byte; "THR empty" while IER bit 1 is set, from a write
 * to THR (sent at once) or the enabling of that bit until IIR reports it
 * (data sheet, table 4). uart_irq() is the level of the line (IRQ 4 for
 * COM1). Each byte written to THR, and each byte received, is a new
 * interrupt: the line drops and rises again even when it was high (field
 * edge), as in QEMU's model, where THR is full for a moment; an
 * edge-triggered input (the PIC's, the IOAPIC's ISA pins) sees every one.
 */
#include "devices.h"

#define REG_RBR_THR 0
#define REG_IER	    1
#define REG_IIR_FCR 2
#define REG_LCR	    3
#define REG_MCR	    4
#define REG_LSR	    5
#define REG_MSR	    6
#define REG_SCR	    7

#define LCR_DLAB     0x80
#define MCR_DTR	     0x01
#define MCR_RTS	     0x02
#define MCR_OUT1     0x04
#define MCR_OUT2     0x08
#define MCR_LOOP     0x10
#define LSR_DR	     0x01
#define LSR_THRE     0x20
#define LSR_TEMT     0x40
#define IIR_NO_INT   0x01
#define IIR_THRE     0x02
#define IIR_RDA	     0x04
#define IER_ERBFI    0x01
#define IER_ETBEI    0x02
#define IIR_FIFO_ON  0xc0
#define FCR_FIFO_EN  0x01
#define FCR_RX_RESET 0x02
#define MSR_CTS	     0x10
#define MSR_DSR	     0x20
#define MSR_RI	     0x40
#define MSR_DCD	     0x80

void uart_init(struct uart *u, uart_tx_fn *tx, void *tx_ctx)
{
	*u = (struct uart){ .tx = tx, .tx_ctx = tx_ctx, .dll = 0x0c }; /* 9600 baud after reset */
}

int uart_receive(struct uart *u, uint8_t b)
{
	unsigned cap = (u->fcr & FCR_FIFO_EN) ? UART_FIFO : 1;

	if (u->rx_count >= cap)
		return 0;
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = b;
	u->rx_count++;
	u->edge = 1;
	return 1;
}

uint8_t uart_read(struct uart *u, unsigned off)
{
	uint8_t v;

	switch (off & 7) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		v = u->rx[u->rx_head];
		if (u->rx_count) {
			u->rx_head = (uint8_t)((u->rx_head + 1) % UART_FIFO);
			u->rx_count--;
		}
		return v;
	case REG_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = (u->fcr & FCR_FIFO_EN) ? IIR_FIFO_ON : 0;
		if ((u->ier & IER_ERBFI) && u->rx_count)
			return v | IIR_RDA;
		if ((u->ier & IER_ETBEI) && u->thr_ipending) {
			u->thr_ipending = 0; /* reading IIR acknowledges it */
			return v | IIR_THRE;
		}
		return v | IIR_NO_INT;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case REG_MSR:
		/* Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
		if (u->mcr & MCR_LOOP)
			return (uint8_t)(((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
					 ((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
					 ((u->mcr & MCR_OUT1) ? MSR_RI : 0) |
					 ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
		return MSR_DCD | MSR_DSR | MSR_CTS;
	default:
		return u->scr;
	}
}

void uart_write(struct uart *u, unsigned off, uint8_t val)
{
	switch (off & 7) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
		} else if (u->mcr & MCR_LOOP) {
			uart_receive(u, val);
		} else if (u->tx) {
			u->tx(u->tx_ctx, val);
		}
		if (!(u->lcr & LCR_DLAB)) {
			u->thr_ipending = 1; /* sent at once: THR is empty again */
			u->edge = 1;	     /* the line drops while THR is full */
		}
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
		} else {
			if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
				u->thr_ipending = 1; /* THR is always empty here */
			u->ier = val & 0x0f;
		}
		break;
	case REG_IIR_FCR:
		if (val & FCR_RX_RESET)
			u->rx_count = 0;
		u->fcr = val & 0xc9; /* the FIFO-reset bits 1-2 self-clear */
		break;
	case REG_LCR:
		u->lcr = val;
		break;
	case REG_MCR:
		u->mcr = val & 0x1f;
		break;
	case REG_LSR:
	case REG_MSR:
		break; /* read-only here (factory test writes) */
	default:
		u->scr = val;
		break;
	}
}

int uart_irq(const struct uart *u)
{
	return ((u->ier & IER_ERBFI) && u->rx_count) || ((u->ier & IER_ETBEI) && u->thr_ipending);
}
