"""Pharmacokinetics: linear compartment models in closed form, population Monte Carlo, effect link.

The model (:mod:`.models`), the dosing events (:mod:`.regimen`) and the simulation
(:mod:`.simulate`) are separate objects; :func:`dosewise.pk.api.simulate_request` puts them
together for the interfaces. Submodules are imported on use (numpy is not loaded by this package).
"""
