// NOC console scripts.
