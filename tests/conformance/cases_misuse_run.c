/* SPDX-License-Identifier: MIT */
/*
 * Conformance cases: kicks in every state of a vCPU: before the first run,
 * idle, twice, while it runs on another thread / CPU, from a timer or thread
 * while it is idle. A kick after destroy: cases_misuse.c.
 */
#include "conf.h"
#include "guests.h"

/* The counter of misuse_loop.asm's stores (DATA). */
#define LOOP_COUNT 0x10000u

static uint64_t loop_count(const struct conf_ctx *c)
{
	return __atomic_load_n((const uint64_t *)(const void *)(c->ram + LOOP_COUNT),
			       __ATOMIC_ACQUIRE);
}

/* ---- a vCPU running on another thread / CPU -------------------------------- */

static struct lv_exit run_exit;
static int run_rc;
static uint32_t run_done; /* __atomic */
static char ctl_msg[200];
static int ctl_rc;

/* Worker 1: run the vCPU once (the loop). Worker 0: @p ctl. */
static int (*ctl_fn)(struct conf_ctx *c);

static void par_worker(void *arg, unsigned i)
{
	struct conf_ctx *c = arg;
	struct lv_exit *ex;

	if (i == 1) {
		run_rc = lv_vcpu_run(c->vcpu[0], &ex);
		if (!run_rc)
			run_exit = *ex;
		__atomic_store_n(&run_done, 1, __ATOMIC_RELEASE);
		return;
	}
	ctl_rc = ctl_fn(c);
	if (ctl_rc)
		memcpy(ctl_msg, c->msg, sizeof(ctl_msg));
}

/* The loop is running in the guest: the counter moves. */
static int wait_looping(struct conf_ctx *c)
{
	uint64_t start = loop_count(c);

	while (loop_count(c) < start + 100)
		if (__atomic_load_n(&run_done, __ATOMIC_ACQUIRE))
			return conf_fail(c, "the run returned before the loop ran (%s)",
					 lv_status_name(run_rc));
	return CONF_PASS;
}

static int run_parallel(struct conf_ctx *c, int (*fn)(struct conf_ctx *c))
{
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	if (conf_run_expect(c, c->vcpu[0], LV_EXIT_IO, "first run"))
		return CONF_FAIL;
	run_done = 0;
	run_rc = LV_OK;
	ctl_rc = CONF_PASS;
	ctl_fn = fn;
	if (c->host->parallel(c->host->ctx, 2, par_worker, c))
		return conf_fail(c, "parallel hook failed");
	if (ctl_rc) {
		memcpy(c->msg, ctl_msg, sizeof(c->msg));
		return ctl_rc;
	}
	if (run_rc)
		return conf_fail(c, "run: %s", lv_status_name(run_rc));
	return CONF_PASS;
}

/* Kick a vCPU while it runs on the other CPU. */
static int kick_ctl(struct conf_ctx *c)
{
	if (wait_looping(c))
		return CONF_FAIL;
	if (conf_want(c, "kick while running", lv_vcpu_kick(c->vcpu[0]), LV_OK))
		return CONF_FAIL;
	while (!__atomic_load_n(&run_done, __ATOMIC_ACQUIRE))
		;
	return CONF_PASS;
}

/* The kick ends that run, and only that one: the next run starts the guest. */
static int kick_running(struct conf_ctx *c)
{
	int rc = run_parallel(c, kick_ctl);
	char got[80];

	if (rc)
		return rc;
	if (run_exit.reason != LV_EXIT_CANCELLED) {
		conf_describe_exit(&run_exit, got, sizeof(got));
		return conf_fail(c, "kicked run ended with %s, want CANCELLED", got);
	}
	if (conf_restart(c, c->vcpu[0]))
		return CONF_FAIL;
	return conf_run_expect(c, c->vcpu[0], LV_EXIT_IO, "run after the kicked run");
}

/* ---- kicks in the other states ---------------------------------------------- */

/*
 * Before the first run, twice: one CANCELLED. Idle after an exit, twice,
 * with a state change in between: one CANCELLED (the OUT is completed
 * first). Each time the next run goes on with the guest.
 */
static int kick_idle(struct conf_ctx *c)
{
	struct lv_vcpu *v;
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	v = c->vcpu[0];
	WANT("kick before the first run", lv_vcpu_kick(v), LV_OK);
	WANT("second kick before the first run", lv_vcpu_kick(v), LV_OK);
	if (conf_run_expect(c, v, LV_EXIT_CANCELLED, "first run after two kicks") ||
	    conf_run_expect(c, v, LV_EXIT_IO, "second run after two kicks"))
		return CONF_FAIL;
	WANT("kick while idle", lv_vcpu_kick(v), LV_OK);
	if (conf_restart(c, v))
		return CONF_FAIL;
	WANT("second kick while idle", lv_vcpu_kick(v), LV_OK);
	if (conf_run_expect(c, v, LV_EXIT_CANCELLED, "run after two idle kicks and a state change"))
		return CONF_FAIL;
	return conf_run_expect(c, v, LV_EXIT_IO, "run after the cancelled run");
}

static void kick_fn(void *arg)
{
	struct conf_ctx *c = arg;

	lv_vcpu_kick(c->vcpu[0]);
	__atomic_store_n(&c->flag, 1, __ATOMIC_RELEASE);
}

/* A kick from another context (timer, thread) while the vCPU is idle. */
static int kick_idle_later(struct conf_ctx *c)
{
	struct lv_vcpu *v;
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	v = c->vcpu[0];
	if (conf_run_expect(c, v, LV_EXIT_IO, "first run"))
		return CONF_FAIL;
	if (c->host->call_later(c->host->ctx, 1000, kick_fn, c))
		return conf_fail(c, "call_later failed");
	while (!__atomic_load_n(&c->flag, __ATOMIC_ACQUIRE))
		;
	if (conf_run_expect(c, v, LV_EXIT_CANCELLED, "run after the kick") || conf_restart(c, v))
		return CONF_FAIL;
	return conf_run_expect(c, v, LV_EXIT_IO, "run after the cancelled run");
}

const struct conf_case conf_cases_misuse_run[] = {
	{ .name = "misuse_kick_running",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .need_hooks = NEED_PARALLEL,
	  .custom = kick_running },
	{ .name = "misuse_kick_idle",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .custom = kick_idle },
	{ .name = "misuse_kick_idle_later",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_misuse_loop,
	  .need_hooks = NEED_CALL_LATER,
	  .custom = kick_idle_later },
	{ .name = NULL },
};
