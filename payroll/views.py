from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from smartcoop.core.roles import Permission
from smartcoop.core.views import permission_required


@login_required
def member_index(request):
    return render(request, "payroll/member_index.html")


@permission_required(Permission.RUN_PAYROLL)
def staff_index(request):
    return render(request, "payroll/staff_index.html")
