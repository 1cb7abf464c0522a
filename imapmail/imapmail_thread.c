/* imapmail_thread - THREAD's two algorithms (RFC 5256 section 3):
 * ORDEREDSUBJECT and REFERENCES, on containers in one array.  Interface
 * in imapmail_sort.h.  Container 0 is the root above the root set, so
 * that the root set is one more sibling list; a container is a message
 * (msg >= 0) or a dummy (-1).  Siblings are doubly linked so that
 * pruning and merging splice in constant time; message ids and base
 * subjects are looked up in one open-addressing table.  Walks use an
 * explicit stack or the container order, never recursion. */
#include <stdlib.h>
#include <string.h>

#include "imapmail_sort.h"
#include "mem.h"

enum { ROOT = 0, NONE = -1 };

struct node {
	long msg;			/* index into msgs, or NONE: a dummy */
	long parent, first, last, prev, next;
	size_t kids;
};

struct tree {
	const struct imapmail_thread_msg *msgs;
	struct node *c;
	size_t len, cap;
	const char **keys;		/* the table: key, container */
	long *vals;
	size_t slots;
};

/* add_node - a new container (message or dummy), linked nowhere */
static long add_node(struct tree *t, long msg)
{
	if (t->len == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->c = xrealloc(t->c, t->cap * sizeof(*t->c));
	}
	t->c[t->len] = (struct node){ .msg = msg, .parent = NONE, .first = NONE, .last = NONE,
				      .prev = NONE, .next = NONE };
	return (long)t->len++;
}

/* unlink_node - out of its parent's children */
static void unlink_node(struct tree *t, long x)
{
	struct node *n = &t->c[x];

	if (n->parent == NONE)
		return;
	if (n->prev != NONE)
		t->c[n->prev].next = n->next;
	else
		t->c[n->parent].first = n->next;
	if (n->next != NONE)
		t->c[n->next].prev = n->prev;
	else
		t->c[n->parent].last = n->prev;
	t->c[n->parent].kids--;
	n->parent = n->prev = n->next = NONE;
}

/* append - x the last child of p */
static void append(struct tree *t, long p, long x)
{
	unlink_node(t, x);
	t->c[x].parent = p;
	t->c[x].prev = t->c[p].last;
	if (t->c[p].last != NONE)
		t->c[t->c[p].last].next = x;
	else
		t->c[p].first = x;
	t->c[p].last = x;
	t->c[p].kids++;
}

/* below - is a under (or) x? */
static bool below(const struct tree *t, long a, long x)
{
	for (; a != NONE && a != ROOT; a = t->c[a].parent)
		if (a == x)
			return true;
	return false;
}

/* hash - FNV-1a */
static size_t hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* slot - the table's slot of key (found or free) */
static size_t slot(struct tree *t, const char *key)
{
	size_t i = hash(key) & (t->slots - 1);

	while (t->keys[i] && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & (t->slots - 1);
	return i;
}

/* table_reset - an empty table with room for n keys */
static void table_reset(struct tree *t, size_t n)
{
	free(t->keys);
	free(t->vals);
	for (t->slots = 64; t->slots < 2 * n + 2; t->slots *= 2)
		;
	t->keys = xcalloc(t->slots, sizeof(*t->keys));
	t->vals = xcalloc(t->slots, sizeof(*t->vals));
}

/* date_of - the sent date and sequence number that order x (a dummy's
 * first child's) */
static void date_of(const struct tree *t, long x, time_t *d, uint32_t *seq)
{
	while (t->c[x].msg == NONE && t->c[x].first != NONE)
		x = t->c[x].first;
	*d = t->c[x].msg == NONE ? 0 : t->msgs[t->c[x].msg].sent;
	*seq = t->c[x].msg == NONE ? 0 : t->msgs[t->c[x].msg].seq;
}

struct sortee {
	long x;
	time_t d;
	uint32_t seq;
};

/* by_date - sent date, then sequence number */
static int by_date(const void *a, const void *b)
{
	const struct sortee *x = a, *y = b;

	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* sort_kids - p's children by sent date */
static void sort_kids(struct tree *t, long p)
{
	size_t n = t->c[p].kids, k = 0;
	struct sortee *v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof(*v));
	for (long x = t->c[p].first; x != NONE; x = t->c[x].next, k++) {
		v[k].x = x;
		date_of(t, x, &v[k].d, &v[k].seq);
	}
	qsort(v, n, sizeof(*v), by_date);
	for (k = 0; k < n; k++)
		append(t, p, v[k].x);
	free(v);
}

/* postorder - every container below ROOT, children before parents */
static long *postorder(const struct tree *t, size_t *n_r)
{
	long *out = xcalloc(t->len + 1, sizeof(*out)), *stack = xcalloc(t->len + 1, sizeof(*stack));
	size_t n = 0, top = 0;

	/* pre-order (parent, then its children reversed), then reversed */
	for (long x = t->c[ROOT].first; x != NONE; x = t->c[x].next)
		stack[top++] = x;
	while (top > 0) {
		long x = stack[--top];

		out[n++] = x;
		for (long k = t->c[x].first; k != NONE; k = t->c[k].next)
			stack[top++] = k;
	}
	for (size_t i = 0; i < n / 2; i++) {
		long s = out[i];

		out[i] = out[n - 1 - i];
		out[n - 1 - i] = s;
	}
	free(stack);
	*n_r = n;
	return out;
}

/* sort_all - every set of siblings by date, the deepest first */
static void sort_all(struct tree *t)
{
	size_t n;
	long *order = postorder(t, &n);

	for (size_t i = 0; i < n; i++)
		sort_kids(t, order[i]);
	sort_kids(t, ROOT);
	free(order);
}

/* container - the container of a message id (made when new) */
static long container(struct tree *t, const char *id)
{
	size_t i = slot(t, id);

	if (t->keys[i] == NULL) {
		t->keys[i] = id;
		t->vals[i] = add_node(t, NONE);
	}
	return t->vals[i];
}

/* link_refs - step 1: the containers of each message and its
 * references, parent before child */
static void link_refs(struct tree *t, size_t n)
{
	size_t ids = 0;

	for (size_t i = 0; i < n; i++)
		ids += 1 + (t->msgs[i].refs ? t->msgs[i].refs->len : 0);
	table_reset(t, ids);
	for (size_t i = 0; i < n; i++) {
		const struct imapmail_thread_msg *m = &t->msgs[i];
		long self = NONE, prev = NONE;

		if (m->msgid && m->msgid[0]) {
			self = container(t, m->msgid);
			if (t->c[self].msg != NONE)	/* a duplicate id: its own */
				self = NONE;
		}
		if (self == NONE)
			self = add_node(t, NONE);
		t->c[self].msg = (long)i;
		for (size_t k = 0; m->refs && k < m->refs->len; k++) {
			long x = container(t, m->refs->items[k]);

			if (prev != NONE && x != prev && t->c[x].parent == NONE && !below(t, prev, x))
				append(t, prev, x);
			prev = x;
		}
		unlink_node(t, self);		/* 1.B: the message decides */
		if (prev != NONE && prev != self && !below(t, prev, self))
			append(t, prev, self);
	}
	for (long x = 1; x < (long)t->len; x++)	/* (2) the root set */
		if (t->c[x].parent == NONE)
			append(t, ROOT, x);
}

/* splice - x's children take x's place; x goes */
static void splice(struct tree *t, long x)
{
	long p = t->c[x].parent, at = x;

	while (t->c[x].first != NONE) {
		long k = t->c[x].first, after;

		unlink_node(t, k);
		after = t->c[at].next;
		t->c[k].parent = p;
		t->c[k].prev = at;
		t->c[k].next = after;
		t->c[at].next = k;
		if (after != NONE)
			t->c[after].prev = k;
		else
			t->c[p].last = k;
		t->c[p].kids++;
		at = k;
	}
	unlink_node(t, x);
}

/* prune - step 3: dummies without children go, with children they
 * give them to their parent (at the root only one child) */
static void prune(struct tree *t)
{
	size_t n;
	long *order = postorder(t, &n);

	for (size_t i = 0; i < n; i++) {
		long x = order[i];

		if (t->c[x].msg != NONE)
			continue;
		if (t->c[x].kids == 0)
			unlink_node(t, x);
		else if (t->c[x].parent != ROOT || t->c[x].kids == 1)
			splice(t, x);
	}
	free(order);
}

/* subject_of - a root's subject (a dummy's: its first child's) */
static const struct imapmail_thread_msg *subject_of(const struct tree *t, long x)
{
	while (t->c[x].msg == NONE && t->c[x].first != NONE)
		x = t->c[x].first;
	return t->c[x].msg == NONE ? NULL : &t->msgs[t->c[x].msg];
}

/* merge - step 5.B: x (a root) joins the table's container y */
static void merge(struct tree *t, long x, long y, size_t i)
{
	bool xd = t->c[x].msg == NONE, yd = t->c[y].msg == NONE;
	long d;

	if (xd && yd) {
		while (t->c[x].first != NONE)
			append(t, y, t->c[x].first);
		unlink_node(t, x);
	} else if ((yd && !xd) || (!xd && t->msgs[t->c[x].msg].reply && !t->msgs[t->c[y].msg].reply)) {
		append(t, y, x);
	} else {
		d = add_node(t, NONE);
		/* the dummy takes y's place among the roots */
		t->c[d].parent = ROOT;
		t->c[d].prev = t->c[y].prev;
		t->c[d].next = t->c[y].next;
		if (t->c[y].prev != NONE)
			t->c[t->c[y].prev].next = d;
		else
			t->c[ROOT].first = d;
		if (t->c[y].next != NONE)
			t->c[t->c[y].next].prev = d;
		else
			t->c[ROOT].last = d;
		t->c[y].parent = t->c[y].prev = t->c[y].next = NONE;
		t->c[d].first = t->c[d].last = y;
		t->c[y].parent = d;
		t->c[d].kids = 1;
		append(t, d, x);
		t->vals[i] = d;
	}
}

/* by_subject - step 5: roots of the same base subject gathered */
static void by_subject(struct tree *t)
{
	const struct imapmail_thread_msg *m;
	size_t i;
	long x, next;

	table_reset(t, t->c[ROOT].kids);
	for (x = t->c[ROOT].first; x != NONE; x = t->c[x].next) {
		if ((m = subject_of(t, x)) == NULL || m->subject[0] == '\0')
			continue;
		i = slot(t, m->subject);
		if (t->keys[i] == NULL) {
			t->keys[i] = m->subject;
			t->vals[i] = x;
		} else if (t->c[t->vals[i]].msg != NONE &&
			   (t->c[x].msg == NONE ||
			    (t->msgs[t->c[t->vals[i]].msg].reply && !t->msgs[t->c[x].msg].reply))) {
			t->vals[i] = x;
		}
	}
	for (x = t->c[ROOT].first; x != NONE; x = next) {
		next = t->c[x].next;
		if ((m = subject_of(t, x)) == NULL || m->subject[0] == '\0')
			continue;
		i = slot(t, m->subject);
		if (t->vals[i] != x)
			merge(t, x, t->vals[i], i);
	}
}

/* emit - one thread of x, iteratively: "1 2 (3)(4 5)" */
static void emit(const struct tree *t, long x, struct buf *out)
{
	long *stack = xcalloc(t->len + 1, sizeof(*stack));
	size_t top = 0;
	bool space = false;

	for (;;) {
		if (t->c[x].msg != NONE) {
			buf_printf(out, space ? " %u" : "%u", t->msgs[t->c[x].msg].id);
			space = true;
		}
		if (t->c[x].kids == 1) {
			x = t->c[x].first;
			continue;
		}
		if (t->c[x].kids > 1) {
			buf_cat(out, space ? " (" : "(");
			stack[top++] = t->c[t->c[x].first].next;
			x = t->c[x].first;
			space = false;
			continue;
		}
		/* a leaf: close subtrees until one has a sibling left */
		while (top > 0) {
			buf_putc(out, ')');
			if (stack[top - 1] != NONE)
				break;
			top--;
		}
		if (top == 0)
			break;
		buf_putc(out, '(');
		x = stack[top - 1];
		stack[top - 1] = t->c[x].next;
		space = false;
	}
	free(stack);
}

/* ordered_subject - section 3 ORDEREDSUBJECT: by base subject, then
 * date; the first of each subject the parent of the others */
static void ordered_subject(struct tree *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		append(t, ROOT, add_node(t, (long)i));
	sort_kids(t, ROOT);
	table_reset(t, n);
	for (long x = t->c[ROOT].first, next; x != NONE; x = next) {
		size_t i = slot(t, t->msgs[t->c[x].msg].subject);

		next = t->c[x].next;
		if (t->keys[i] == NULL) {
			t->keys[i] = t->msgs[t->c[x].msg].subject;
			t->vals[i] = x;
		} else {
			append(t, t->vals[i], x);
		}
	}
}

/* imapmail_thread_write - the threads of msgs */
void imapmail_thread_write(const struct imapmail_thread_msg *msgs, size_t n, bool references,
			   struct buf *out)
{
	struct tree t = { .msgs = msgs };

	add_node(&t, NONE);			/* ROOT */
	if (references) {
		link_refs(&t, n);
		prune(&t);
		sort_all(&t);			/* (4), and the dummies' first children */
		by_subject(&t);
		sort_all(&t);			/* (6) */
	} else {
		ordered_subject(&t, n);
	}
	for (long x = t.c[ROOT].first; x != NONE; x = t.c[x].next) {
		buf_putc(out, '(');
		emit(&t, x, out);
		buf_putc(out, ')');
	}
	free(t.c);
	free(t.keys);
	free(t.vals);
}
