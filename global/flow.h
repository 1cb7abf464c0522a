/* flow - in-flow control, as Postfix's in_flow_delay: a token pipe that
 * master creates and every daemon inherits (master_proto.h).  The queue
 * manager puts a token for each message that leaves the active queue, and
 * tops the pipe up to default_process_limit tokens whenever it is idle;
 * cleanup takes a token for each new message and, when there is none,
 * waits for one at most in_flow_delay before it goes on anyway.  So when
 * mail arrives faster than it is delivered, intake slows to about the
 * delivery rate instead of filling the queue, but it never stops.
 *
 *   cleanup: flow_take(1000 * cf->in_flow_delay);   // before each message
 *   qmgr:    flow_put(1);  flow_fill(cf->default_process_limit);
 *
 * Outside a master (HATO_FLOW unset) every call does nothing.
 */
#ifndef HATO_FLOW_H
#define HATO_FLOW_H

#include <stdbool.h>

bool flow_take(int wait_ms);
void flow_put(int n);
void flow_fill(int target);
int flow_count(void);

#endif
