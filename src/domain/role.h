/*
 * role.h: roles and what each may do. One table answers every authorisation question, so
 * that a route cannot forget its check: each route names the permission it needs.
 */
#ifndef SARHAD_DOMAIN_ROLE_H
#define SARHAD_DOMAIN_ROLE_H

enum role {
    ROLE_ADMIN,
    ROLE_COMMANDER,
    ROLE_LIAISON,
    ROLE_ANALYST,
    ROLE_PATROL,
    ROLE_SENSOR, /* a fence sensor gateway: posts alarms, reads nothing */
    ROLE_COUNT
};

enum role_perm {
    PERM_NONE = 0,                /* public (health) */
    PERM_READ = 1 << 0,           /* read the shared picture */
    PERM_EVENT_CREATE = 1 << 1,   /* report an incident */
    PERM_EVENT_UPDATE = 1 << 2,   /* change or close an incident */
    PERM_UNIT_REPORT = 1 << 3,    /* post unit positions */
    PERM_SECTION_UPDATE = 1 << 4, /* change a border section */
    PERM_OPERATE = 1 << 5,        /* metrics, users, node administration */
    PERM_HOTLINE = 1 << 6,        /* send and acknowledge hotline messages */
    PERM_PATROL = 1 << 7,         /* plan patrols, mark one national */
    PERM_ALARM = 1 << 8,          /* post fence and sensor alarms */
};

/* "admin" -> ROLE_ADMIN. Returns 0, or -1 if unknown. */
int role_parse(const char *name, enum role *out);

/* The role's name. */
const char *role_name(enum role r);

/* 1 if role `r` holds every bit of `perm` (PERM_NONE is always held). */
int role_allows(enum role r, unsigned perm);

/* 1 if a user of role `r` may see journal entries of `kind` on the stream and in the API. */
int role_sees_kind(enum role r, const char *kind);

#endif
