/* A consumer of the installed package: links and calls the API. */
#include <libvcpu/libvcpu.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	struct lv_backend *b = NULL;
	int rc = lv_backend_open(LV_BACKEND_ANY, &b);

	printf("open: %s\n", lv_status_name(rc));
	if (rc == LV_OK)
		lv_backend_close(b);
	/* Link check only: a host without /dev/kvm is fine too. */
	return strcmp(lv_status_name(LV_ERR_INVAL), "LV_ERR_INVAL") != 0;
}
