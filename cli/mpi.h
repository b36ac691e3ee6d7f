/* polyverify — the CLI under mpirun (cli/mpi.c).
 *
 * An enumeration started by `mpirun -np K polyverify enumerate ...` runs
 * on K processes (pv_enum_dist of the library, its exchange done with
 * MPI_Allgatherv); every process computes the same answer and rank 0 alone
 * prints it. Without Open MPI at build time (-Dmpi=disabled, or
 * libopenmpi-dev missing), a run under mpirun with more than one process
 * is refused with that reason. */
#ifndef PV_CLI_MPI_H
#define PV_CLI_MPI_H

#include "polyverify/enumerate.h"

/* Joins the MPI job when the process was started by mpirun; returns the
 * number of processes (1 outside mpirun), or -1 with a message printed
 * (more than one process and no MPI in this build). */
int cli_mpi_start(int *argc, char ***argv);
/* This process's rank (0 outside mpirun). */
int cli_mpi_rank(void);
/* The distribution of an enumeration, or NULL for one process. */
const pv_enum_dist *cli_mpi_dist(void);
/* Leaves the job (no-op outside one). */
void cli_mpi_finish(void);

#endif
