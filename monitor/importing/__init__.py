"""The import as a pipeline: `readers` (a format per suffix) give raw rows; `headers` checks the
header row; `cells` types the values; `keys` finds repeated ids and checks references;
`checks` holds each record type's own rules; `writing` writes; `table` takes one file
through these stages and `run` one export, all or nothing. `problems` is what goes wrong,
`mapping` a source's own names."""
