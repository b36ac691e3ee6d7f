/* Every cell of a network in a box, with the installed library:
 *
 *     cc enumerate.c $(pkg-config --cflags --libs polyverify) -o enumerate
 *     ./enumerate NET LO HI
 *
 * enumerates the cells in [LO, HI]^m (LO, HI exact: 1/2, -3, 0.25) and
 * prints their number by dimension and each code with its dimension. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <polyverify.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s NET LO HI\n", argv[0]);
        return 2;
    }
    pv_error err = { PV_ERR_NOMEM, "out of memory" };
    pv_net *net = pv_net_new();
    if (net == NULL || pv_net_load(net, argv[1], &err) != PV_OK) {
        fprintf(stderr, "error: %s\n", err.msg);
        pv_net_free(net);
        return 1;
    }
    char spec[256];
    snprintf(spec, sizeof spec, "%s,%s", argv[2], argv[3]);
    pv_box box;
    pv_box_init(&box, pv_net_input_dim(net));
    pv_enum E;
    pv_enum_init(&E);
    pv_enum_options opt;
    pv_enum_options_init(&opt);      /* no limits, no graph, no progress */
    opt.box = &box;
    int status = 1;
    if (pv_box_parse(&box, pv_net_input_dim(net), spec, &err) == PV_OK &&
        pv_enum_compute(&E, net, &opt, &err) == PV_OK) {
        printf("%d cells:", E.ncells);
        for (int d = E.m; d >= 0; d--)
            if (E.by_dim[d])
                printf(" %d of dim %d", E.by_dim[d], d);
        printf("\n");
        for (int i = 0; i < E.ncells; i++) {
            char *s = pv_code_str(&E.cells[i].code, net);
            printf("  %s  dim %d\n", s, E.cells[i].dim);
            free(s);
        }
        status = 0;
    } else {
        fprintf(stderr, "error: %s\n", err.msg);
    }
    pv_enum_clear(&E);
    pv_box_clear(&box);
    pv_net_free(net);
    return status;
}
