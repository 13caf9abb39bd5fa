"""Turning decoded packets into text for people, and capture statistics into tcpdump's words."""
