/* polyverify — the CLI under mpirun (see mpi.h).
 *
 * The process's MPI state is the CLI's, not the library's: the library
 * only sees the pv_enum_dist below, whose allgather is one
 * MPI_Allgather of the block sizes and one MPI_Allgatherv of the blocks
 * per round of the walk. Errors return (MPI_ERRORS_RETURN), so a lost
 * process fails the run with a message, never a partial answer. */
#include "mpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How many processes mpirun says it started (1 when not under mpirun). */
static int launched_size(void)
{
    const char *s = getenv("OMPI_COMM_WORLD_SIZE");
    if (s == NULL)
        s = getenv("PMI_SIZE");
    return s && atoi(s) > 0 ? atoi(s) : 1;
}

#ifdef PV_HAVE_MPI
#include <mpi.h>

typedef struct job {
    int rank, size, active;
    double t0;
    pv_enum_dist dist;
} job;

static job the_job;     /* the process's one MPI job (CLI only) */

static int allgather(void *ctx, const void *mine, size_t n, void **all,
                     size_t *sizes)
{
    job *J = ctx;
    long long my = (long long)n;
    long long *each = malloc((size_t)J->size * sizeof *each);
    int *counts = malloc((size_t)J->size * sizeof *counts);
    int *displs = malloc((size_t)J->size * sizeof *displs);
    int rc = !each || !counts || !displs;
    if (!rc)
        rc = MPI_Allgather(&my, 1, MPI_LONG_LONG, each, 1, MPI_LONG_LONG,
                           MPI_COMM_WORLD) != MPI_SUCCESS;
    long long total = 0;
    for (int r = 0; !rc && r < J->size; r++) {
        if (each[r] < 0 || each[r] > 0x7fffffff - total) {
            rc = 1;         /* MPI counts are ints: a round of < 2 GiB */
            break;
        }
        counts[r] = (int)each[r];
        displs[r] = (int)total;
        sizes[r] = (size_t)each[r];
        total += each[r];
    }
    *all = rc ? NULL : malloc((size_t)total + 1);
    if (!rc && *all == NULL)
        rc = 1;
    if (!rc)
        rc = MPI_Allgatherv(mine, (int)n, MPI_BYTE, *all, counts, displs,
                            MPI_BYTE, MPI_COMM_WORLD) != MPI_SUCCESS;
    free(each);
    free(counts);
    free(displs);
    return rc;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Progress on rank 0's terminal: cells, cells/s, and the slowest rank of
 * the round (the one every other waited for). */
static void round_done(void *ctx, long cells, const double *busy)
{
    job *J = ctx;
    if (J->rank != 0 || !isatty(2))
        return;
    int slow = 0;
    for (int r = 1; r < J->size; r++)
        if (busy[r] > busy[slow])
            slow = r;
    double t = now() - J->t0;
    fprintf(stderr, "\rcells found %ld, cells/s %.0f, slowest rank %d (%.2f s "
            "of the round) ", cells, t > 0 ? (double)cells / t : 0.0, slow,
            busy[slow]);
    fflush(stderr);
}

int cli_mpi_start(int *argc, char ***argv)
{
    if (launched_size() <= 1)
        return 1;
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return -1;
    job *J = &the_job;
    memset(J, 0, sizeof *J);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &J->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &J->size);
    J->active = 1;
    J->t0 = now();
    J->dist.rank = J->rank;
    J->dist.size = J->size;
    J->dist.allgather = allgather;
    J->dist.ctx = J;
    J->dist.round_done = round_done;
    if (J->rank != 0 && freopen("/dev/null", "w", stdout) == NULL)
        return -1;          /* rank 0 alone prints the answer */
    return J->size;
}

int cli_mpi_rank(void)
{
    return the_job.active ? the_job.rank : 0;
}

const pv_enum_dist *cli_mpi_dist(void)
{
    return the_job.active && the_job.size > 1 ? &the_job.dist : NULL;
}

void cli_mpi_finish(void)
{
    if (the_job.active)
        MPI_Finalize();
    the_job.active = 0;
}

#else   /* built without MPI */

int cli_mpi_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (launched_size() <= 1)
        return 1;
    fprintf(stderr, "polyverify: started by mpirun with %d processes, but this "
            "build has no MPI (install libopenmpi-dev and rebuild; meson "
            "option -Dmpi)\n", launched_size());
    return -1;
}

int cli_mpi_rank(void) { return 0; }
const pv_enum_dist *cli_mpi_dist(void) { return NULL; }
void cli_mpi_finish(void) {}

#endif
