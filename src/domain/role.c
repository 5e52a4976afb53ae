/*
 * role.c: the permission table.
 */
#include "domain/role.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned perms;
} role_table[ROLE_COUNT] = {
    [ROLE_ADMIN] = {"admin", PERM_READ | PERM_EVENT_CREATE | PERM_EVENT_UPDATE | PERM_HOTLINE |
                                 PERM_UNIT_REPORT | PERM_SECTION_UPDATE | PERM_OPERATE |
                                 PERM_PATROL | PERM_ALARM},
    [ROLE_COMMANDER] = {"commander", PERM_READ | PERM_EVENT_CREATE | PERM_EVENT_UPDATE |
                                         PERM_HOTLINE | PERM_UNIT_REPORT | PERM_SECTION_UPDATE |
                                         PERM_PATROL},
    [ROLE_LIAISON] = {"liaison", PERM_READ | PERM_EVENT_CREATE | PERM_EVENT_UPDATE | PERM_HOTLINE},
    [ROLE_ANALYST] = {"analyst", PERM_READ | PERM_EVENT_CREATE | PERM_EVENT_UPDATE},
    [ROLE_PATROL] = {"patrol", PERM_READ | PERM_EVENT_CREATE | PERM_UNIT_REPORT},
    [ROLE_SENSOR] = {"sensor", PERM_ALARM},
};

int role_parse(const char *name, enum role *out)
{
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (strcmp(name, role_table[i].name) == 0) {
            *out = (enum role)i;
            return 0;
        }
    }
    return -1;
}

const char *role_name(enum role r)
{
    return (unsigned)r < ROLE_COUNT ? role_table[r].name : "unknown";
}

int role_allows(enum role r, unsigned perm)
{
    if ((unsigned)r >= ROLE_COUNT)
        return 0;
    return (role_table[r].perms & perm) == perm;
}

int role_sees_kind(enum role r, const char *kind)
{
    /* Who holds which token is the operator's business only. */
    if (strncmp(kind, "user.", 5) == 0)
        return r == ROLE_ADMIN;
    return 1;
}
