/* SPDX-License-Identifier: MIT */
/*
 * Segment attributes as one word, shared by the SVM and VMX backends.
 * Internal.
 *
 * The word holds descriptor bits 40-47 and 52-55 (SDM Vol. 3, 3.4.5) where
 * the VMCS access-rights field keeps them (25.4.1): type 3:0, S 4, DPL 6:5,
 * P 7, AVL 12, L 13, D/B 14, G 15. The VMCB packs the same bits as 11:0
 * (APM Vol. 2, Table B-2): lv_seg_attr_to_vmcb() / lv_seg_attr_from_vmcb().
 */
#ifndef LV_CORE_SEG_ATTR_H
#define LV_CORE_SEG_ATTR_H

#include <stdint.h>

#include <libvcpu/state.h>

static inline uint32_t lv_seg_attr(const struct lv_segment *s)
{
	return (s->type & 0xfu) | ((uint32_t)(s->s & 1) << 4) | ((uint32_t)(s->dpl & 3) << 5) |
	       ((uint32_t)(s->present & 1) << 7) | ((uint32_t)(s->avl & 1) << 12) |
	       ((uint32_t)(s->l & 1) << 13) | ((uint32_t)(s->db & 1) << 14) |
	       ((uint32_t)(s->g & 1) << 15);
}

/* Set the attribute fields of @p s from @p a (selector, base, limit and unusable stay). */
static inline void lv_seg_set_attr(struct lv_segment *s, uint32_t a)
{
	s->type = a & 0xf;
	s->s = (a >> 4) & 1;
	s->dpl = (a >> 5) & 3;
	s->present = (a >> 7) & 1;
	s->avl = (a >> 12) & 1;
	s->l = (a >> 13) & 1;
	s->db = (a >> 14) & 1;
	s->g = (a >> 15) & 1;
}

static inline uint16_t lv_seg_attr_to_vmcb(uint32_t a)
{
	return (uint16_t)((a & 0xffu) | ((a >> 4) & 0xf00u));
}

static inline uint32_t lv_seg_attr_from_vmcb(uint16_t a)
{
	return (a & 0xffu) | (((uint32_t)a & 0xf00u) << 4);
}

#endif /* LV_CORE_SEG_ATTR_H */
