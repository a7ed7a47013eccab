"""Ways to run Roost beyond one process: ``deploy.hosts`` builds several "hosts" on one
machine (Linux network namespaces) for trying and testing the distributed deployment."""
