/*
 * core/serve/session.c - sessions: a sandboxed Python interpreter whose
 * variables live on between calls, under one policy for its whole life.
 *
 * A session is one run of the policy (one worker, one sandbox): its
 * limits hold for the session's whole process tree and whole life (the
 * policy's wall limit is the longest a session lives, its CPU limit the
 * CPU of all its cells together), and its output passes the policy's
 * filters (redaction) as a run's does.  What runs in the sandbox is the
 * driver below, started as the policy's interpreter with -c (exec style,
 * so no check module judges cordon's own driver; a policy whose pyguard
 * refuses -c cannot hold sessions, and says so).  Each cell is checked by
 * the policy's check modules in the service before it is sent: a denied
 * cell never reaches the interpreter and leaves the session as it was.
 *
 * The driver first ends "cell 0" (it is up: the request that started the
 * session is answered then, or with the run's error if it never got
 * there), then reads frames "LENGTH\n" + source from stdin, runs each cell
 * in one namespace (the value of a last expression is returned as its
 * repr), and ends it with a marker line on stdout and on stderr:
 *
 *   \x1e\x1ecordon-cell-end N {"status": ..., "value": ..., ...}   (stdout)
 *   \x1e\x1ecordon-cell-end N                                      (stderr)
 *
 * A cell's output is what came before its markers.  Code in the session
 * can print a marker itself: it then confuses its own session's output,
 * nothing else (the session is the caller's alone).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/base64.h>
#include <yaml.h>

#include "../hash.h"
#include "serve.h"

#define MARK "\x1e\x1e" "cordon-cell-end "
#define CELL_OUT_MAX (16u << 20) /* a cell's output kept per stream; the rest is counted */
#define CELL_TAIL (4u << 20)     /* past that, the last bytes kept: the marker line is there */
/* The files a cell returns (the driver's FILES_MAX and DATA_MAX): the
 * marker line holds their content in base64, well under CELL_TAIL. */
#define CELL_FILES_MAX 16
#define CELL_DATA_MAX (2u << 20)

const char session_driver[] =
	"import sys\n"
	"def _cordon_session():\n"
	"    rd = sys.stdin.buffer\n"
	"    out, err = sys.__stdout__, sys.__stderr__\n"
	"    g = {'__name__': '__main__', '__builtins__': __builtins__}\n"
	"    try:\n"
	"        import ast\n"
	"    except BaseException:\n"
	"        ast = None\n"
	"    def js(s):\n"
	"        if s is None:\n"
	"            return 'null'\n"
	"        r = ['\"']\n"
	"        for ch in s:\n"
	"            o = ord(ch)\n"
	"            if ch == '\"' or ch == '\\\\':\n"
	"                r.append('\\\\' + ch)\n"
	"            elif o < 32 or o == 127 or 0xd800 <= o <= 0xdfff:\n"
	"                r.append('\\\\u%04x' % o)\n"
	"            else:\n"
	"                r.append(ch)\n"
	"        r.append('\"')\n"
	"        return ''.join(r)\n"
	"    # Files a cell leaves in /output come back with the cell: what changed\n"
	"    # since the last cell (by size and modification time), up to FILES_MAX\n"
	"    # files and DATA_MAX bytes of content per cell, base64 on the marker\n"
	"    # line (so they pass the policy's filters, as any output does).  They\n"
	"    # count towards the policy's output limit: the service passes what of\n"
	"    # it the files may use over the session's life (argv[1], half the\n"
	"    # limit; 0 when the policy sets none), so that returning files never\n"
	"    # ends the session.  Plots render without a display.\n"
	"    FILES_MAX, DATA_MAX, SCAN_MAX = 16, 2 << 20, 4096\n"
	"    try:\n"
	"        budget = int(sys.argv[1]) if len(sys.argv) > 1 else 0\n"
	"    except ValueError:\n"
	"        budget = 0\n"
	"    spent = [0]\n"
	"    try:\n"
	"        import os, hashlib, base64\n"
	"    except BaseException:\n"
	"        os = None\n"
	"    if os is not None:\n"
	"        os.environ.setdefault('MPLBACKEND', 'Agg')\n"
	"        outdir = os.environ.get('CORDON_OUTPUT_DIR') or '/output'\n"
	"    def scan():\n"
	"        found = {}\n"
	"        if os is None:\n"
	"            return found\n"
	"        todo, seen_n = [('', outdir)], 0\n"
	"        try:\n"
	"            while todo and seen_n < SCAN_MAX:\n"
	"                rel, d = todo.pop()\n"
	"                with os.scandir(d) as it:\n"
	"                    for e in it:\n"
	"                        seen_n += 1\n"
	"                        if seen_n > SCAN_MAX:\n"
	"                            break\n"
	"                        if e.is_dir(follow_symlinks=False):\n"
	"                            todo.append((rel + e.name + '/', e.path))\n"
	"                        elif e.is_file(follow_symlinks=False):\n"
	"                            st = e.stat(follow_symlinks=False)\n"
	"                            found[rel + e.name] = (st.st_size, st.st_mtime_ns)\n"
	"        except BaseException:\n"
	"            pass\n"
	"        return found\n"
	"    def files_json(changed):\n"
	"        parts, room = [], DATA_MAX\n"
	"        if budget > 0:\n"
	"            room = min(room, (budget - spent[0]) * 3 // 4 - 1024)\n"
	"        for p in changed[:FILES_MAX]:\n"
	"            size = changed_sizes[p]\n"
	"            data, digest = None, None\n"
	"            if size <= room:\n"
	"                try:\n"
	"                    fd = os.open(os.path.join(outdir, p), os.O_RDONLY | os.O_NOFOLLOW)\n"
	"                    try:\n"
	"                        b = os.read(fd, size + 1)\n"
	"                    finally:\n"
	"                        os.close(fd)\n"
	"                    if len(b) == size:\n"
	"                        digest = hashlib.sha256(b).hexdigest()\n"
	"                        data = base64.b64encode(b).decode('ascii')\n"
	"                        room -= size\n"
	"                        spent[0] += len(data) + 256\n"
	"                except BaseException:\n"
	"                    data = None\n"
	"            parts.append('{\"path\": %s, \"size\": %d, \"sha256\": %s, \"data\": %s}' % (\n"
	"                js(p), size, js(digest), js(data)))\n"
	"        return '[' + ', '.join(parts) + ']', len(changed) - min(len(changed), FILES_MAX)\n"
	"    before = scan()\n"
	"    changed_sizes = {}\n"
	"    out.write('\\x1e\\x1ecordon-cell-end 0 {\"status\": \"ready\"}\\n')\n"
	"    out.flush()\n"
	"    err.write('\\x1e\\x1ecordon-cell-end 0\\n')\n"
	"    err.flush()\n"
	"    n = 0\n"
	"    while True:\n"
	"        head = rd.readline()\n"
	"        if not head:\n"
	"            return\n"
	"        try:\n"
	"            size = int(head)\n"
	"        except ValueError:\n"
	"            return\n"
	"        src = rd.read(size).decode('utf-8', 'replace')\n"
	"        n += 1\n"
	"        name = '<cell %d>' % n\n"
	"        status, value, etype, emsg = 'ok', None, None, None\n"
	"        try:\n"
	"            last = None\n"
	"            if ast is not None:\n"
	"                tree = ast.parse(src, name, 'exec')\n"
	"                if tree.body and isinstance(tree.body[-1], ast.Expr):\n"
	"                    last = ast.Expression(tree.body.pop().value)\n"
	"                code = compile(tree, name, 'exec')\n"
	"            else:\n"
	"                code = compile(src, name, 'exec')\n"
	"            exec(code, g)\n"
	"            if last is not None:\n"
	"                v = eval(compile(last, name, 'eval'), g)\n"
	"                if v is not None:\n"
	"                    value = repr(v)\n"
	"                    if len(value) > 65536:\n"
	"                        value = value[:65536] + '...'\n"
	"        except BaseException as e:\n"
	"            status, etype, emsg = 'error', type(e).__name__, str(e)[:4096]\n"
	"            try:\n"
	"                tb = e.__traceback__\n"
	"                if tb is not None and tb.tb_next is not None:\n"
	"                    e = e.with_traceback(tb.tb_next)\n"
	"                sys.excepthook(type(e), e, e.__traceback__)\n"
	"            except BaseException:\n"
	"                pass\n"
	"        for f in (sys.stdout, sys.stderr):\n"
	"            try:\n"
	"                f.flush()\n"
	"            except BaseException:\n"
	"                pass\n"
	"        now = scan()\n"
	"        changed = sorted(p for p in now if before.get(p) != now[p])\n"
	"        before = now\n"
	"        # A name that is not UTF-8 cannot be named in the answer: counted.\n"
	"        named = []\n"
	"        for p in changed:\n"
	"            try:\n"
	"                p.encode('utf-8')\n"
	"                named.append(p)\n"
	"            except UnicodeError:\n"
	"                pass\n"
	"        unnamed = len(changed) - len(named)\n"
	"        changed = named\n"
	"        changed_sizes = {p: now[p][0] for p in changed}\n"
	"        files, more = files_json(changed) if changed else ('[]', 0)\n"
	"        more += unnamed\n"
	"        meta = '{\"status\": %s, \"value\": %s, \"error_type\": %s, \"error\": %s, \"files\": %s, \"files_not_listed\": %d}' % (\n"
	"            js(status), js(value), js(etype), js(emsg), files, more)\n"
	"        out.write('\\x1e\\x1ecordon-cell-end %d %s\\n' % (n, meta))\n"
	"        out.flush()\n"
	"        err.write('\\x1e\\x1ecordon-cell-end %d\\n' % n)\n"
	"        err.flush()\n"
	"_cordon_session()\n";

int utf8_seq_len(const unsigned char *p, size_t n)
{
	int len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 && p[0] >= 0xc2 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
	          : (p[0] & 0xf8) == 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	if (len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
		return 0;
	if (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
		return 0;
	return len;
}

/* Bytes as a JSON string: invalid UTF-8 as U+FFFD. */
size_t utf8_repair(const unsigned char *in, size_t n, unsigned char *out, bool last, size_t *used)
{
	size_t o = 0, i = 0;
	while (i < n) {
		int l = utf8_seq_len(in + i, n - i);
		if (l < 0 && !last && n - i < 4)
			break; /* the rest of it comes with the next chunk */
		if (l <= 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, in + i, (size_t)l);
		o += (size_t)l;
		i += (size_t)l;
	}
	if (used)
		*used = i;
	return o;
}

json_t *json_text_lossy(const char *p, size_t n)
{
	unsigned char *out = malloc(n * 3 + 1);
	if (!out)
		return NULL;
	size_t o = utf8_repair((const unsigned char *)p, n, out, true, NULL);
	json_t *s = json_stringn((const char *)out, o);
	free(out);
	return s;
}

static void cell_reset(struct job *j)
{
	for (int i = 0; i < 2; i++) {
		j->cell_end[i] = false;
		j->cell_out_len[i] = 0;
		j->cell_scan[i] = 0;
		if (j->cell_out_cap[i] > (1u << 20)) { /* one large cell does not pin its buffer for the session's life */
			free(j->cell_out[i]);
			j->cell_out[i] = NULL;
			j->cell_out_cap[i] = 0;
		}
	}
	j->cell_dropped = 0;
	free(j->cell_meta);
	j->cell_meta = NULL;
}

/* What of the policy's output limit a session's returned files may use
 * over its life: half of the `output` limit (each of stdout and stderr)
 * that the rlimit module's entry of the policy's stack sets, as the
 * policy's dump shows it, so the cells' own output keeps the other half;
 * 0 when no entry sets one (then only the driver's own bound of 2 MiB a
 * cell holds).  The driver is told (session_command, jobs.c), so that
 * returning files never ends a session on its output limit. */
uint64_t session_files_budget(cordon_policy *p)
{
	char *dump = cordon_policy_dump(p);
	uint64_t cap = 0;
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!dump || !yaml_parser_initialize(&parser)) {
		free(dump);
		return 0;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)dump, strlen(dump));
	if (yaml_parser_load(&parser, &doc)) {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		yaml_node_t *stack = NULL;
		for (yaml_node_pair_t *kv = root && root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
		     kv && kv < root->data.mapping.pairs.top; kv++) {
			yaml_node_t *k = yaml_document_get_node(&doc, kv->key);
			if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, "stack") == 0)
				stack = yaml_document_get_node(&doc, kv->value);
		}
		for (yaml_node_item_t *it = stack && stack->type == YAML_SEQUENCE_NODE ? stack->data.sequence.items.start
		                                                                       : NULL;
		     it && it < stack->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(&doc, *it);
			const char *module = NULL;
			yaml_node_t *with = NULL;
			for (yaml_node_pair_t *kv = e && e->type == YAML_MAPPING_NODE ? e->data.mapping.pairs.start : NULL;
			     kv && kv < e->data.mapping.pairs.top; kv++) {
				yaml_node_t *k = yaml_document_get_node(&doc, kv->key), *v = yaml_document_get_node(&doc, kv->value);
				if (!k || k->type != YAML_SCALAR_NODE || !v)
					continue;
				if (strcmp((const char *)k->data.scalar.value, "module") == 0 && v->type == YAML_SCALAR_NODE)
					module = (const char *)v->data.scalar.value;
				else if (strcmp((const char *)k->data.scalar.value, "with") == 0)
					with = v;
			}
			if (!module || strcmp(module, "rlimit") != 0 || !with || with->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *kv = with->data.mapping.pairs.start; kv < with->data.mapping.pairs.top; kv++) {
				yaml_node_t *k = yaml_document_get_node(&doc, kv->key), *v = yaml_document_get_node(&doc, kv->value);
				uint64_t b;
				if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
				    strcmp((const char *)k->data.scalar.value, "output") == 0 &&
				    parse_size((const char *)v->data.scalar.value, &b) == 0 && b > 0 && (!cap || b < cap))
					cap = b;
			}
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	free(dump);
	return cap / 2;
}

/* A path below /output as the driver names it: relative, no empty, "."
 * or ".." component, no control character, at most 4096 bytes. */
static bool cell_path_ok(json_t *p)
{
	const char *v = json_string_value(p);
	size_t n = v ? strlen(v) : 0;
	if (!v || n == 0 || n > 4096 || n != json_string_length(p) || v[0] == '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	for (const char *c = v; *c;) {
		const char *e = strchr(c, '/');
		size_t k = e ? (size_t)(e - c) : strlen(c);
		if (k == 0 || (k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += k + (e ? 1 : 0);
		if (e && !*c)
			return false;
	}
	return true;
}

/* The files the driver says the cell left in /output, as the service
 * vouches for them: each content decoded here, its size and sha256
 * computed here; a content that does not decode (or that the policy's
 * output filter changed on its way: redaction rewrites base64 that hides
 * a secret) is dropped and said so.  At most CELL_FILES_MAX entries and
 * CELL_DATA_MAX bytes of content. */
static json_t *cell_files(json_t *claimed)
{
	json_t *out = json_array();
	size_t i, budget = CELL_DATA_MAX;
	json_t *f;
	if (!out || !json_is_array(claimed))
		return out;
	json_array_foreach(claimed, i, f) {
		if (i >= CELL_FILES_MAX)
			break;
		json_t *path = json_object_get(f, "path"), *size = json_object_get(f, "size");
		if (!cell_path_ok(path) || !json_is_integer(size) || json_integer_value(size) < 0)
			continue;
		json_t *o = json_pack("{s:O,s:I,s:s}", "path", path, "size", json_integer_value(size), "mime",
		                      serve_content_type(json_string_value(path)));
		if (!o)
			continue;
		const char *data = json_string_value(json_object_get(f, "data"));
		size_t dlen = data ? json_string_length(json_object_get(f, "data")) : 0;
		const char *why = data ? NULL : "not returned: larger than what a cell returns (2 MiB), or unreadable";
		uint8_t *raw = NULL;
		size_t rawlen = 0;
		if (data) {
			struct base64_decode_ctx ctx;
			base64_decode_init(&ctx);
			raw = malloc(BASE64_DECODE_LENGTH(dlen) + 1);
			rawlen = BASE64_DECODE_LENGTH(dlen);
			if (!raw || !base64_decode_update(&ctx, &rawlen, raw, dlen, data) || !base64_decode_final(&ctx))
				why = "not returned: its content did not arrive intact (the policy's output filter may have "
				      "changed it)";
			else if (rawlen > budget)
				why = "not returned: larger than what a cell returns (2 MiB)";
		}
		if (!why) {
			struct sha256_ctx sc;
			char hex[SHA256_HEX_LEN + 1];
			const char *herr = sha256_begin(&sc);
			if (herr) {
				why = "not returned: cannot hash it";
			} else {
				sha256_feed(&sc, raw, rawlen);
				sha256_end_hex(&sc, hex);
				const char *claim = json_string_value(json_object_get(f, "sha256"));
				if (!claim || strcmp(claim, hex) != 0 || (json_int_t)rawlen != json_integer_value(size)) {
					why = "not returned: its content did not arrive intact (the policy's output filter "
					      "may have changed it)";
				} else {
					budget -= rawlen;
					json_object_set_new(o, "sha256", json_string(hex));
					json_object_set_new(o, "data", json_stringn(data, dlen));
				}
			}
		}
		free(raw);
		if (why)
			json_object_set_new(o, "omitted", json_string(why));
		json_array_append_new(out, o);
	}
	return out;
}

/* A cell in the policy's audit log, as a run would be (cordon_policy_event:
 * the incident_log module records a denied or failed cell, and with
 * log: all every cell), naming the session, the cell and the caller. */
static void cell_event(struct serve *s, struct job *j, unsigned cell, const char *status, json_t *findings,
                       const char *code, size_t len)
{
	json_t *none = json_array();
	json_t *o = json_pack("{s:s,s:s,s:I,s:s,s:s,s:O}", "event", "session-cell", "session", j->id, "cell",
	                      (json_int_t)cell, "caller", j->caller->name, "status", status, "findings",
	                      json_is_array(findings) ? findings : none);
	json_decref(none);
	char *js = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	char *err = NULL;
	if (!js || cordon_policy_event(j->wp->policy, js, code, len, &err) < 0)
		serve_log(s, "error", j->caller, job_policy(j), "session %s: cell %u: not recorded in the audit log: %s",
		          j->id, cell, js ? (err ? err : "?") : "out of memory");
	free(err);
	free(js);
}

/* Both markers are in: the cell's answer. */
static void cell_done(struct serve *s, struct job *j)
{
	if (j->cells == 0) { /* the driver is up: the session is ready */
		j->cell_busy = false;
		cell_reset(j);
		clock_gettime(CLOCK_MONOTONIC, &j->last_used);
		if (j->pending_code) { /* started by a call that brought its first cell */
			char *code = j->pending_code;
			size_t len = j->pending_len;
			j->pending_code = NULL;
			serve_log(s, "session", j->caller, job_policy(j), "session %s started", j->id);
			char *body = session_check_send(s, j, code, len);
			free(code);
			if (body) /* denied or not sent: answered now */
				http_cell_done(j, 200, body);
			return;
		}
		json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", j->id, "state", "ready", "policy", job_policy(j), "caller",
		                      j->caller->name);
		char *body = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(o);
		serve_log(s, "session", j->caller, job_policy(j), "session %s started", j->id);
		http_cell_done(j, body ? 201 : 500, body);
		return;
	}
	json_t *meta = j->cell_meta ? json_loads(j->cell_meta, 0, NULL) : NULL;
	json_t *o = json_object();
	if (o) {
		json_object_set_new(o, "session", json_string(j->id));
		json_object_set_new(o, "cell", json_integer(j->cells));
		json_t *st = json_object_get(meta, "status");
		json_object_set_new(o, "status", json_is_string(st) ? json_incref(st) : json_string("error"));
		if (!meta && (meta = json_object()) != NULL)
			json_object_set_new(meta, "error",
			                    json_string("the cell ended, but the session's driver gave an answer the service "
			                                "cannot read"));
		json_object_set_new(o, "value", json_incref(json_object_get(meta, "value") ? json_object_get(meta, "value")
		                                                                           : json_null()));
		json_object_set_new(o, "error_type", json_incref(json_object_get(meta, "error_type")
		                                                     ? json_object_get(meta, "error_type")
		                                                     : json_null()));
		json_object_set_new(o, "error", json_incref(json_object_get(meta, "error") ? json_object_get(meta, "error")
		                                                                           : json_null()));
		json_object_set_new(o, "stdout", json_text_lossy(j->cell_out[0] ? j->cell_out[0] : "", j->cell_out_len[0]));
		json_object_set_new(o, "stderr", json_text_lossy(j->cell_out[1] ? j->cell_out[1] : "", j->cell_out_len[1]));
		json_object_set_new(o, "output_dropped_bytes", json_integer((json_int_t)j->cell_dropped));
		json_object_set_new(o, "files", cell_files(json_object_get(meta, "files")));
		json_t *more = json_object_get(meta, "files_not_listed");
		json_object_set_new(o, "files_not_listed",
		                    json_integer(json_is_integer(more) && json_integer_value(more) > 0
		                                     ? json_integer_value(more) : 0));
		json_object_set_new(o, "findings", j->cell_findings ? json_incref(j->cell_findings) : json_array());
	}
	const char *cst = json_string_value(json_object_get(o, "status"));
	cell_event(s, j, j->cells, cst && strcmp(cst, "ok") == 0 ? "ok" : "error", j->cell_findings, j->cell_code,
	           j->cell_code_len);
	free(j->cell_code);
	j->cell_code = NULL;
	j->cell_code_len = 0;
	json_decref(meta);
	char *body = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	json_decref(j->cell_findings);
	j->cell_findings = NULL;
	j->cell_busy = false;
	cell_reset(j);
	clock_gettime(CLOCK_MONOTONIC, &j->last_used);
	serve_log(s, "cell", j->caller, job_policy(j), "session %s: cell %u answered", j->id, j->cells);
	http_cell_done(j, body ? 200 : 500, body);
}

/* Grow a cell buffer to hold need bytes and a NUL. */
static int cell_room(struct job *j, int which, size_t need)
{
	if (need + 1 <= j->cell_out_cap[which])
		return 0;
	size_t nc = j->cell_out_cap[which] ? j->cell_out_cap[which] : 65536;
	while (nc < need + 1)
		nc *= 2;
	char *nb = realloc(j->cell_out[which], nc);
	if (!nb)
		return -1;
	j->cell_out[which] = nb;
	j->cell_out_cap[which] = nc;
	return 0;
}

/* Output of a session's stream, kept for the cell in flight until its
 * marker: the first CELL_OUT_MAX bytes, then (past that) only the last
 * CELL_TAIL, where the marker line (with the value's repr) will be. */
void session_output(struct serve *s, struct job *j, int which, const char *data, size_t n)
{
	size_t len = j->cell_out_len[which];
	if (len < CELL_OUT_MAX && len + n > CELL_OUT_MAX + CELL_TAIL) {
		/* Fill the kept part first, then the rest as the tail. */
		size_t h = CELL_OUT_MAX - len;
		session_output(s, j, which, data, h);
		session_output(s, j, which, data + h, n - h);
		return;
	}
	if (len + n > CELL_OUT_MAX + CELL_TAIL) {
		/* The part past CELL_OUT_MAX, old and new, keeps its last
		 * CELL_TAIL bytes. */
		size_t old_tail = len > CELL_OUT_MAX ? len - CELL_OUT_MAX : 0;
		size_t keep_from_new = n < CELL_TAIL ? n : CELL_TAIL;
		size_t keep_from_old = CELL_TAIL - keep_from_new < old_tail ? CELL_TAIL - keep_from_new : old_tail;
		j->cell_dropped += old_tail - keep_from_old + n - keep_from_new;
		size_t base = len > CELL_OUT_MAX ? CELL_OUT_MAX : len;
		memmove(j->cell_out[which] + base, j->cell_out[which] + len - keep_from_old, keep_from_old);
		len = base + keep_from_old;
		data += n - keep_from_new;
		n = keep_from_new;
		j->cell_scan[which] = base;
	}
	if (cell_room(j, which, len + n) < 0) {
		j->cell_dropped += n;
		return;
	}
	memcpy(j->cell_out[which] + len, data, n);
	j->cell_out_len[which] = len + n;
	j->cell_out[which][len + n] = '\0';
	if (j->cell_end[which] || !j->cell_busy)
		return;
	/* Look for the marker from where the last look could not have seen
	 * all of it. */
	size_t from = j->cell_scan[which];
	char *buf = j->cell_out[which];
	char *m = memmem(buf + from, j->cell_out_len[which] - from, MARK, strlen(MARK));
	if (!m) {
		j->cell_scan[which] = j->cell_out_len[which] > strlen(MARK) ? j->cell_out_len[which] - strlen(MARK) : 0;
		return;
	}
	j->cell_scan[which] = (size_t)(m - buf);
	char *nl = memchr(m, '\n', (size_t)(buf + j->cell_out_len[which] - m));
	if (!nl)
		return;
	if (which == 0) {
		char *sp = memchr(m + strlen(MARK), ' ', (size_t)(nl - m) - strlen(MARK));
		free(j->cell_meta);
		j->cell_meta = sp ? strndup(sp + 1, (size_t)(nl - sp - 1)) : NULL;
	}
	/* The cell's output ends at the marker; what follows the marker's
	 * line belongs to no cell and is dropped. */
	j->cell_out_len[which] = (size_t)(m - buf);
	j->cell_end[which] = true;
	if (j->cell_end[0] && j->cell_end[1])
		cell_done(s, j);
}

/* The policy's checks over a cell, then the cell to the interpreter:
 * NULL when it was sent (the answer comes with its markers), else the
 * answer now (denied, or why it could not be sent).  Each session's cells
 * are checked in a checker of the session's own (started at its first
 * cell, ended with the session): a cell that took over a checker would
 * otherwise see the cells of every other session of the policy. */
char *session_check_send(struct serve *s, struct job *j, const char *code, size_t len)
{
	char *err = NULL;
	cordon_result *r = NULL;
	if (!j->cell_checker && !(j->cell_checker = cordon_checker_start(j->wp->policy, &err)) && !err)
		err = strdup("the session's checker could not be started");
	if (j->cell_checker)
		r = cordon_check_with(j->wp->policy, j->cell_checker, code, len, &err);
	char *cj = r ? cordon_result_json(r) : NULL;
	json_t *check = cj ? json_loads(cj, 0, NULL) : NULL;
	free(cj);
	if (r)
		cordon_result_free(r);
	const char *verdict = json_string_value(json_object_get(check, "verdict"));
	json_t *o = NULL;
	const char *why = NULL;
	if (!verdict || strcmp(verdict, "error") == 0) {
		o = json_pack("{s:s,s:s,s:s}", "session", j->id, "status", "error", "error",
		              err ? err : "the cell could not be checked");
		cell_event(s, j, j->cells + 1, "error", json_object_get(check, "findings"), code, len);
	} else if (strcmp(verdict, "deny") == 0) {
		serve_log(s, "cell", j->caller, job_policy(j), "session %s: a cell denied by the checks", j->id);
		o = json_pack("{s:s,s:s,s:O}", "session", j->id, "status", "denied", "findings",
		              json_object_get(check, "findings"));
		cell_event(s, j, j->cells + 1, "denied", json_object_get(check, "findings"), code, len);
	} else if (session_send(j, code, len, &why) < 0) {
		o = json_pack("{s:s,s:s,s:s}", "session", j->id, "status", "error", "error", why);
		cell_event(s, j, j->cells + 1, "error", json_object_get(check, "findings"), code, len);
	} else {
		json_decref(j->cell_findings);
		j->cell_findings = json_incref(json_object_get(check, "findings"));
		/* Kept for the cell's audit record when its answer comes. */
		free(j->cell_code);
		j->cell_code_len = 0;
		if ((j->cell_code = malloc(len + 1)) != NULL) {
			memcpy(j->cell_code, code, len);
			j->cell_code[len] = '\0';
			j->cell_code_len = len;
		}
	}
	free(err);
	json_decref(check);
	if (!o && j->cell_busy)
		return NULL;
	char *body = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return body ? body : strdup("{\"status\":\"error\",\"error\":\"out of memory\"}");
}

int session_send(struct job *j, const char *code, size_t len, const char **why)
{
	if (j->stdin_fd < 0) {
		*why = "the session has ended";
		return -1;
	}
	char head[32];
	int hl = snprintf(head, sizeof(head), "%zu\n", len);
	char *frame = malloc((size_t)hl + len);
	if (!frame) {
		*why = "out of memory";
		return -1;
	}
	memcpy(frame, head, (size_t)hl);
	memcpy(frame + hl, code, len);
	size_t total = (size_t)hl + len, off = 0;
	while (off < total) {
		ssize_t w = write(j->stdin_fd, frame + off, total - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(frame);
	if (off < total) {
		/* The interpreter is not reading (a previous cell still holds
		 * it, or it is gone): this session cannot take a cell. */
		*why = "the session's interpreter is not reading its input";
		return -1;
	}
	cell_reset(j);
	j->cell_busy = true;
	j->cells++;
	return 0;
}

void session_ended(struct serve *s, struct job *j)
{
	if (j->stdin_fd >= 0) {
		close(j->stdin_fd);
		j->stdin_fd = -1;
	}
	cordon_checker_free(j->cell_checker); /* no more cells */
	j->cell_checker = NULL;
	if (!j->cell_busy)
		return;
	j->cell_busy = false;
	if (j->cells > 0) /* the session ended with a cell in flight: that cell failed */
		cell_event(s, j, j->cells, "error", j->cell_findings, j->cell_code, j->cell_code_len);
	free(j->cell_code);
	j->cell_code = NULL;
	j->cell_code_len = 0;
	json_t *res = j->body ? json_loads(j->body, 0, NULL) : NULL;
	json_t *o;
	unsigned status = 200;
	if (j->cells == 0) { /* it never got ready: the run's error says why */
		const char *e = json_string_value(json_object_get(res, "error"));
		char msg[600];
		snprintf(msg, sizeof(msg), "the session could not start: %s",
		         e ? e : "its interpreter ended before it was ready (see result)");
		o = json_pack("{s:s,s:s,s:o*}", "error", msg, "session", j->id, "result", res);
		status = 422;
	} else {
		o = json_pack("{s:s,s:i,s:s,s:o*}", "session", j->id, "cell", (int)j->cells, "status", "ended", "result",
		              res);
	}
	char *body = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	http_cell_done(j, body ? status : 500, body);
}
