/* placeholder: the command dispatcher lands next */
int main(void)
{
    return 0;
}
