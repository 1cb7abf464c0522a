/* pop3d_handoff - after a login: the client, authd's token and any
 * pipelined input go to a pop3mail process through login/pop3
 * (login_session_handoff: with TLS this process relays). */
#include "log.h"
#include "pop3d.h"

/* pop3d_handoff - the session is the mail process's from here on */
void pop3d_handoff(struct pop3d *p)
{
	struct buf *why = buf_new(0);

	if (login_session_handoff(&p->ls, "pop3", NULL, p->g->cf->pop3d_timeout, why) < 0) {
		log_warn("cannot hand the login of %s to the mail process: %s", p->ls.rip, buf_str(why));
		pop3d_reply(p, "-ERR [SYS/TEMP] Internal login failure. "
			    "Refer to server log for more information.");
		stream_flush(p->ls.s);
	}
	buf_free(&why);
}
