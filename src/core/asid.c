/* SPDX-License-Identifier: MIT */
/*
 * ASID allocator, per host CPU, with a generation counter (see ids.h).
 *
 * ASIDs are handed out in order 1 .. count - 1 (ASID 0 is the host's; APM
 * Vol. 2, "TLB Flush"/"ASID"); a vCPU keeps its ASID while it stays on the
 * same CPU and the CPU's generation does not change. When a CPU runs out,
 * its generation goes up, every vCPU's ASID on it becomes stale, and the
 * VMRUN that starts the new generation flushes all ASIDs (TLB_CONTROL 1), so
 * every ASID of the new generation starts with no cached translations.
 */
#include "ids.h"

#include <libvcpu/status.h>

int lv_asid_cpu_init(struct lv_asid_cpu *c, uint32_t cpu, uint32_t count)
{
	if (!c || count < 2)
		return LV_ERR_INVAL;
	c->generation = 1;
	c->next = 1;
	c->count = count;
	c->cpu = cpu;
	return LV_OK;
}

void lv_asid_vcpu_init(struct lv_asid_vcpu *v)
{
	v->generation = 0;
	v->cpu = 0;
	v->asid = 0;
}

void lv_asid_vcpu_invalidate(struct lv_asid_vcpu *v)
{
	v->generation = 0;
}

enum lv_asid_action lv_asid_prepare(struct lv_asid_cpu *c, struct lv_asid_vcpu *v)
{
	enum lv_asid_action act = LV_ASID_FRESH;

	if (v->generation == c->generation && v->cpu == c->cpu && v->asid)
		return LV_ASID_KEEP;
	if (c->next >= c->count) {
		c->generation++;
		c->next = 1;
		act = LV_ASID_FLUSH_ALL;
	}
	v->asid = c->next++;
	v->generation = c->generation;
	v->cpu = c->cpu;
	return act;
}
