/* The cell of an activation code, with the installed library:
 *
 *     cc cell.c $(pkg-config --cflags --libs polyverify) -o cell
 *     ./cell NET CODE
 *
 * prints whether the code is realised, its dimension, a point inside it and
 * each facet with the code beyond it — every fact decided exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <polyverify.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s NET CODE\n", argv[0]);
        return 2;
    }
    pv_error err = { PV_ERR_NOMEM, "out of memory" };
    pv_net *net = pv_net_new();          /* a handle: NULL if out of memory */
    pv_code code;
    pv_cell cell;
    pv_code_init(&code, 0);              /* the caller initialises ...      */
    pv_cell_init(&cell);
    int status = 1;
    if (net != NULL && pv_net_load(net, argv[1], &err) == PV_OK &&
        pv_code_parse(&code, net, argv[2], &err) == PV_OK &&
        pv_cell_compute(&cell, net, &code, NULL, PV_CELL_ALL, &err) == PV_OK) {
        printf("polyverify %s: code %s is %s", pv_version(), argv[2],
               cell.realized ? "realised" : "not realised\n");
        if (cell.realized) {
            printf(", dim %d, point (", cell.dim);
            for (int i = 0; i < cell.m; i++)
                gmp_printf("%s%Qd", i ? ", " : "", cell.point[i]);
            printf("), %d facets\n", cell.nfacets);
            for (int f = 0; f < cell.nfacets; f++) {
                const pv_cell_facet *F = &cell.facets[f];
                char *s = F->has_neighbor ? pv_code_str(&F->neighbor, net) : NULL;
                printf("  facet of neuron %d -> %s\n", F->nneurons ? F->neurons[0] : -1,
                       s ? s : "(box)");
                free(s);
            }
        }
        status = 0;
    } else {
        fprintf(stderr, "error: %s\n", err.msg);
    }
    pv_cell_clear(&cell);                /* ... and clears                  */
    pv_code_clear(&code);
    pv_net_free(net);
    return status;
}
