/* SPDX-License-Identifier: MIT */
/**
 * @file status.h
 * @brief Status codes returned by every libvcpu call.
 *
 * Every function of the API returns an `int`: #LV_OK (zero) on success or a
 * negative `LV_ERR_*` code. lv_status_name() and lv_strerror() turn a code
 * into text; neither allocates and both accept any integer.
 */
#ifndef LIBVCPU_STATUS_H
#define LIBVCPU_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. Values are stable ABI; new codes are only appended. */
enum lv_status {
	LV_OK = 0,	    /**< Success. */
	LV_ERR_INVAL = -1,  /**< An argument is invalid (NULL, bad flags, bad size). */
	LV_ERR_NOMEM = -2,  /**< The platform could not supply memory. */
	LV_ERR_NOTSUP = -3, /**< Not supported by this backend (or not implemented yet). */
	LV_ERR_NODEV =
		-4, /**< The backend is not available on this host (no /dev/kvm, no VMX/SVM). */
	LV_ERR_DISABLED = -5, /**< The hardware feature exists but firmware disabled it. */
	LV_ERR_BUSY = -6,     /**< The object is in use (vCPU running, VM still has vCPUs, ...). */
	LV_ERR_STATE = -7,    /**< The call is not valid in the object's current state. */
	LV_ERR_STALE = -8,    /**< The object has been destroyed. */
	LV_ERR_EXIST =
		-9, /**< The request overlaps something that exists (memory range, vCPU id). */
	LV_ERR_NOENT = -10,	/**< Nothing is mapped/registered at the given address or id. */
	LV_ERR_ALIGN = -11,	/**< An address or size is not suitably aligned. */
	LV_ERR_RANGE = -12,	/**< An address or size is out of range or wraps around. */
	LV_ERR_LIMIT = -13,	/**< A limit was reached (vCPUs, slots, IDs). */
	LV_ERR_HW = -14,	/**< The hardware or the kernel refused the operation. */
	LV_ERR_PERM = -15,	/**< Permission denied by the host (e.g. opening /dev/kvm). */
	LV_ERR_INTR = -16,	/**< Interrupted; retry. */
	LV_ERR_EMULATION = -17, /**< An instruction could not be decoded or emulated. */
};

/** Number of distinct status codes (LV_OK .. LV_ERR_EMULATION). */
#define LV_STATUS_COUNT 18

/**
 * Name of a status code, e.g. "LV_ERR_INVAL".
 * @param status any integer.
 * @return a static string; "LV_ERR_UNKNOWN" for a value that is not a code.
 */
const char *lv_status_name(int status);

/**
 * One-line description of a status code, e.g. "invalid argument".
 * @param status any integer.
 * @return a static string; "unknown status" for a value that is not a code.
 */
const char *lv_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* LIBVCPU_STATUS_H */
