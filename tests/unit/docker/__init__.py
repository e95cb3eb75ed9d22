"""Static checks of docker/: no Docker engine runs here, so test what can be tested."""
