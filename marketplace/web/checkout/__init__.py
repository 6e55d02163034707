"""Checkout: buying a course with the card's training balance, and the order it makes."""
