/*
 * The domU program's modes besides main.c's own (see main.c for the list).
 * Each runs in the boot thread and returns to power the domain off, or
 * crashes the domain on a failed check.
 */
#ifndef PVG_DOMU_DOMU_H
#define PVG_DOMU_DOMU_H

/* pingpong.c: meet the peer through xenstore, then 10,000 checked messages. */
void pingpong_ping(void);
void pingpong_pong(void);

/* hostile.c: security cases played by one domU against another. */
void hostile_victim(void);
void hostile_attack(void);
void hostile_canary(void);

#endif /* PVG_DOMU_DOMU_H */
