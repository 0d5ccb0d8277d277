/*
 * tests/unit_dispatch.c - the verdict -> action table behind the control
 * flags (core/dispatch.c), cell by cell as DESIGN.md states it.
 */
#include "internal.h"
#include "tap.h"

int main(void)
{
	static const struct {
		enum control c;
		enum cordon_verdict v;
		enum action a;
	} cells[] = {
		{ CONTROL_REQUIRED, CORDON_PASS, ACT_OK },        { CONTROL_REQUIRED, CORDON_DENY, ACT_BAD },
		{ CONTROL_REQUIRED, CORDON_IGNORE, ACT_IGNORE },  { CONTROL_REQUIRED, CORDON_ERROR, ACT_ERROR },
		{ CONTROL_REQUISITE, CORDON_PASS, ACT_OK },       { CONTROL_REQUISITE, CORDON_DENY, ACT_DIE },
		{ CONTROL_REQUISITE, CORDON_IGNORE, ACT_IGNORE }, { CONTROL_REQUISITE, CORDON_ERROR, ACT_ERROR },
		{ CONTROL_SUFFICIENT, CORDON_PASS, ACT_DONE },    { CONTROL_SUFFICIENT, CORDON_DENY, ACT_IGNORE },
		{ CONTROL_SUFFICIENT, CORDON_IGNORE, ACT_IGNORE },{ CONTROL_SUFFICIENT, CORDON_ERROR, ACT_IGNORE },
		{ CONTROL_OPTIONAL, CORDON_PASS, ACT_IGNORE },    { CONTROL_OPTIONAL, CORDON_DENY, ACT_IGNORE },
		{ CONTROL_OPTIONAL, CORDON_IGNORE, ACT_IGNORE },  { CONTROL_OPTIONAL, CORDON_ERROR, ACT_IGNORE },
	};
	static const char *const an[] = { "ok", "done", "bad", "die", "ignore", "error" };
	for (size_t i = 0; i < ARRAY_SIZE(cells); i++) {
		enum action a = control_action(cells[i].c, cells[i].v);
		ok(a == cells[i].a, "%s + %s -> %s", control_name(cells[i].c), verdict_name(cells[i].v), an[cells[i].a]);
	}
	ok(control_action((enum control)9, CORDON_PASS) == ACT_DIE, "an unknown control fails closed");
	ok(control_action(CONTROL_REQUIRED, (enum cordon_verdict)7) == ACT_DIE, "an unknown verdict fails closed");
	return tap_done();
}
