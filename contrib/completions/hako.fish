complete --keep-order --exclusive --command hako --arguments "(HAKO_COMPLETE=fish hako -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
