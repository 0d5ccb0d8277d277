#!/usr/bin/python3# coding: utf-16x = 1
