"""Passwords (and password stems) that are guessed first: the most common passwords of public
breach lists (SecLists/NCSC "100k most used", top entries), Dutch everyday words used as
passwords, and keyboard runs. Compared case-insensitively, also after removing digits and symbols
at the ends ("Welkom2024!" -> "welkom")."""

from __future__ import annotations

COMMON_PASSWORDS = frozenset({
    "123456", "123456789", "12345678", "12345", "1234567", "1234567890", "123123", "111111",
    "000000", "654321", "666666", "121212", "123321", "112233", "987654321", "0987654321",
    "password", "passw0rd", "password1", "qwerty", "qwertyuiop", "qwerty123", "asdfghjkl",
    "asdfgh", "zxcvbnm", "zxcvbnm1", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "qazwsx", "abc123",
    "abcdef", "abcdefgh", "abcdefghij", "iloveyou", "princess", "sunshine", "dragon", "monkey",
    "football", "baseball", "letmein", "trustno1", "master", "shadow", "superman", "batman",
    "welcome", "welcome1", "admin", "administrator", "root", "login", "starwars", "whatever",
    "freedom", "hello", "charlie", "donald", "michael", "jennifer", "jordan", "hunter",
    "ranger", "buster", "soccer", "harley", "hockey", "killer", "george", "andrew", "thomas",
    "daniel", "computer", "internet", "secret", "secret123", "changeme", "default", "access",
    "flower", "cheese", "summer", "winter", "autumn", "spring", "butterfly", "purple",
    "orange", "banana", "chocolate", "pokemon", "naruto", "liverpool", "chelsea", "arsenal",
    "samsung", "iphone", "google", "facebook", "linkedin", "microsoft", "wachtwoord",
    "wachtwoord1", "geheim", "welkom", "welkom01", "hallo", "hoihoi", "amsterdam", "rotterdam",
    "utrecht", "denhaag", "eindhoven", "groningen", "nederland", "holland", "oranje", "ajax",
    "feyenoord", "psveindhoven", "voetbal", "zomer", "lente", "herfst", "zonnetje",
    "schatje", "liefje", "lieverd", "prinses", "konijn", "hond", "poes", "kat", "gemeente",
    "schouders", "vng", "ambtenaar", "gemeentehuis", "raadhuis", "wethouder", "burgemeester",
    "visitatie", "test", "test123", "testtest", "tester", "demo", "demo123", "gebruiker",
    "inloggen", "inlog", "toegang",
})

KEYBOARD_RUNS = ("qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn",
                 "abcdefghijklmnopqrstuvwxyz", "01234567890", "09876543210")
